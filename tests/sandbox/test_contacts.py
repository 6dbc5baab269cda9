"""Contacts as ContactsController and Contacts::ConversationsController answer (app/controllers/api/v1/accounts/
contacts_controller.rb, contacts/conversations_controller.rb, views api/v1/accounts/contacts/*.json.jbuilder)."""

from __future__ import annotations

import httpx2

from tests.conftest import Sandbox
from tests.sandbox.conftest import Receiver, deliveries, wait_for


def _names(body: dict) -> list[str]:
    return [c["name"] for c in body["payload"]]


def test_contact_list_pages_fifteen_at_a_time_and_echoes_the_page_as_sent(sandbox: Sandbox) -> None:
    for n in range(14):
        created = sandbox.api("POST", "contacts", json={"name": f"Cliente {n:02d}", "email": f"c{n}@exemplo.com.br"})
        assert created.status_code == 200
    first = sandbox.api("GET", "contacts").json()
    # six seeded contacts (all with a phone number) and fourteen new: twenty resolved contacts
    assert first["meta"] == {"count": 20, "current_page": 1}
    assert len(first["payload"]) == 15 and [c["id"] for c in first["payload"]] == sorted(
        c["id"] for c in first["payload"]
    )
    second = sandbox.api("GET", "contacts?page=2").json()
    assert second["meta"] == {"count": 20, "current_page": "2"}  # `params[:page] || 1`: a string when sent
    assert len(second["payload"]) == 5
    assert "contact_inboxes" in first["payload"][0]
    without = sandbox.api("GET", "contacts?include_contact_inboxes=false").json()
    assert "contact_inboxes" not in without["payload"][0]


def test_contact_list_sorts_by_name_and_by_activity_with_blanks_last(sandbox: Sandbox) -> None:
    by_name = _names(sandbox.api("GET", "contacts?sort=name").json())
    assert by_name == sorted(by_name, key=str.lower)
    backwards = _names(sandbox.api("GET", "contacts?sort=-name").json())
    assert backwards == list(reversed(by_name))
    sandbox.api("POST", "contacts", json={"name": "Sem Atividade", "phone_number": "+5511900000001"})
    recent = sandbox.api("GET", "contacts?sort=-last_activity_at").json()["payload"]
    times = [c.get("last_activity_at") for c in recent]
    assert times[-1] is None and recent[-1]["name"] == "Sem Atividade"  # NULLS LAST, also descending
    present = [t for t in times if t is not None]
    assert present == sorted(present, reverse=True)


def test_a_contact_without_email_phone_or_identifier_is_not_listed_but_can_be_shown(sandbox: Sandbox) -> None:
    created = sandbox.api("POST", "contacts", json={"name": "Anônimo"}).json()["payload"]["contact"]
    assert "Anônimo" not in _names(sandbox.api("GET", "contacts?sort=name").json())
    shown = sandbox.api("GET", f"contacts/{created['id']}").json()
    assert shown["payload"]["name"] == "Anônimo" and shown["payload"]["contact_inboxes"] == []


def test_show_renders_the_contact_with_its_inboxes_and_a_missing_one_is_a_404(sandbox: Sandbox) -> None:
    shown = sandbox.api("GET", "contacts/13").json()["payload"]
    assert shown["id"] == 13 and shown["name"] == "Ana Oliveira"
    assert [ci["inbox"]["name"] for ci in shown["contact_inboxes"]] == ["WhatsApp"]
    assert "secret" not in shown["contact_inboxes"][0]["inbox"]
    assert sandbox.api("GET", "contacts/999").json() == {"error": "Resource could not be found"}
    assert sandbox.api("GET", "contacts/999").status_code == 404


def test_update_merges_custom_attributes_and_renders_the_payload(sandbox: Sandbox) -> None:
    sandbox.api("PUT", "contacts/11", json={"custom_attributes": {"plano": "ouro"}})
    updated = sandbox.api("PUT", "contacts/11", json={"name": "Maria S.", "custom_attributes": {"cidade": "SP"}})
    assert updated.status_code == 200
    body = updated.json()["payload"]
    assert body["name"] == "Maria S." and body["custom_attributes"] == {"plano": "ouro", "cidade": "SP"}
    assert sandbox.api("GET", "contacts/search?q=maria s.").json()["payload"][0]["id"] == 11  # the index follows


def test_update_to_a_taken_email_or_a_bad_phone_is_a_record_invalid(sandbox: Sandbox) -> None:
    taken = sandbox.api("PUT", "contacts/12", json={"email": "MARIA.SILVA@example.com.br"})
    assert taken.status_code == 422
    assert taken.json() == {"message": "Email has already been taken", "attributes": ["email"]}
    bad = sandbox.api("PATCH", "contacts/12", json={"phone_number": "11 9999"})
    assert bad.json() == {"message": "Phone number should be in e164 format", "attributes": ["phone_number"]}
    assert sandbox.api("GET", "contacts/12").json()["payload"]["phone_number"] == "+5521998765432"


def test_create_refuses_a_duplicate_phone_and_creates_the_contact_inbox_when_asked(sandbox: Sandbox) -> None:
    duplicate = sandbox.api("POST", "contacts", json={"name": "Outro", "phone_number": "+5511987654321"})
    assert duplicate.status_code == 422 and duplicate.json()["attributes"] == ["phone_number"]
    site = sandbox.inbox("Site")["id"]
    created = sandbox.api(
        "POST", "contacts", json={"name": "Nova", "identifier": "crm-77", "inbox_id": site, "source_id": "fonte-77"}
    ).json()["payload"]
    assert created["contact_inbox"]["source_id"] == "fonte-77" and created["contact_inbox"]["inbox"]["id"] == site
    assert created["contact"]["contact_inboxes"][0]["source_id"] == "fonte-77"
    again = sandbox.api("POST", "contacts", json={"name": "Nova 2", "identifier": "crm-77"})
    assert again.json() == {"message": "Identifier has already been taken", "attributes": ["identifier"]}


def test_contact_conversations_are_the_newest_in_the_users_inboxes(sandbox: Sandbox) -> None:
    whatsapp, site = sandbox.inbox("WhatsApp")["id"], sandbox.inbox("Site")["id"]
    for inbox in (site, whatsapp, site):
        assert sandbox.api("POST", "conversations", json={"inbox_id": inbox, "contact_id": 13}).status_code == 200
    admin = sandbox.api("GET", "contacts/13/conversations").json()["payload"]
    ids = [c["id"] for c in admin]
    assert len(ids) == 4 and ids == sorted(ids, reverse=True)
    assert all(c["meta"]["sender"]["id"] == 13 for c in admin)
    carla = sandbox.agent("agent", 1)["access_token"]  # member of WhatsApp only
    scoped = sandbox.api("GET", "contacts/13/conversations", token=carla).json()["payload"]
    assert {c["inbox_id"] for c in scoped} == {whatsapp} and len(scoped) == 2
    assert sandbox.api("GET", "contacts/999/conversations").status_code == 404


def test_contact_search_matches_name_email_phone_and_identifier_case(sandbox: Sandbox) -> None:
    sandbox.api("PUT", "contacts/14", json={"identifier": "CRM-Pedro"})
    assert [c["id"] for c in sandbox.api("GET", "contacts/search?q=OLIVEIRA").json()["payload"]] == [13]
    assert [c["id"] for c in sandbox.api("GET", "contacts/search?q=juliana@").json()["payload"]] == [15]
    assert [c["id"] for c in sandbox.api("GET", "contacts/search?q=99234").json()["payload"]] == [14]
    assert [c["id"] for c in sandbox.api("GET", "contacts/search?q=CRM-Ped").json()["payload"]] == [14]
    assert sandbox.api("GET", "contacts/search?q=crm-ped").json()["payload"] == []  # identifier LIKE: case counts
    assert [c["id"] for c in sandbox.api("GET", "contacts/search?q=16").json()["payload"]] == [16]  # the id
    short = sandbox.api("GET", "contacts/search?q=an").json()  # under three characters: no trigram, a scan
    assert {c["id"] for c in short["payload"]} == {12, 13, 15}  # "Santos", "Ana", "Juliana"
    blank = sandbox.api("GET", "contacts/search?q=%20")
    assert blank.status_code == 422 and blank.json() == {"error": "Specify search string with parameter q"}


def test_contacts_are_closed_to_bot_tokens(sandbox: Sandbox) -> None:
    for path in ("contacts", "contacts/11", "contacts/11/conversations", "contacts/search?q=a"):
        refused = sandbox.api("GET", path, token=sandbox.bot_token)
        assert refused.status_code == 401
        assert refused.json() == {"error": "Access to this endpoint is not authorized for bots"}


def test_contact_updated_reaches_account_webhooks_with_what_changed_and_nothing_without_a_change(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    sandbox.api("POST", "webhooks", json={"webhook": {"url": receiver.url, "subscriptions": ["contact_updated"]}})
    sandbox.api("PUT", "contacts/11", json={"name": "Maria Silva"})  # the same name: no change, no event
    sandbox.api("PUT", "contacts/11", json={"name": "Maria da Silva"})
    wait_for(lambda: deliveries(sandbox, done=True))
    sent = deliveries(sandbox, kind="account")
    assert [d["event"] for d in sent] == ["contact_updated"]
    payload = sent[0]["payload"]
    assert payload["id"] == 11 and payload["changed_attributes"] == [
        {"name": {"previous_value": "Maria Silva", "current_value": "Maria da Silva"}}
    ]


def _created(box: Sandbox, body: dict) -> dict:
    response = box.api("POST", "contacts", json=body)
    assert response.status_code == 200, response.text
    return response.json()["payload"]["contact"]


def test_contact_search_says_has_more_while_a_later_page_exists(sandbox: Sandbox) -> None:
    for n in range(16):
        _created(sandbox, {"name": "searchable_contact", "email": f"s{n}@example.com"})
    body = sandbox.api("GET", "contacts/search", params={"q": "searchable_contact"}).json()
    assert body["meta"]["has_more"] is True and body["meta"]["count"] == 15 and len(body["payload"]) == 15


def test_contact_search_says_no_more_on_its_last_page(sandbox: Sandbox) -> None:
    for n in range(16):
        _created(sandbox, {"name": "searchable_contact", "email": f"s{n}@example.com"})
    body = sandbox.api("GET", "contacts/search", params={"q": "searchable_contact", "page": 2}).json()
    assert body["meta"]["has_more"] is False and body["meta"]["count"] == 1 and len(body["payload"]) == 1


def test_contact_labels_keep_only_defined_labels_and_follow_the_filter(sandbox: Sandbox) -> None:
    """Contacts::LabelsController (LabelConcern): the account's labels stick, others are dropped; the list's
    `labels[]` and the filter's `labels` read them."""
    posted = sandbox.api("POST", "contacts/11/labels", json={"labels": ["VIP", "inexistente"]})
    assert posted.status_code == 200 and posted.json() == {"payload": ["vip"]}
    assert sandbox.api("GET", "contacts/11/labels", token=sandbox.agent_token).json() == {"payload": ["vip"]}
    assert [c["id"] for c in sandbox.api("GET", "contacts?labels[]=vip").json()["payload"]] == [11]
    rule = {"attribute_key": "labels", "filter_operator": "equal_to", "values": ["vip"]}
    filtered = sandbox.api("POST", "contacts/filter", json={"payload": [rule]}).json()
    assert [c["id"] for c in filtered["payload"]] == [11]
    sandbox.api("POST", "contacts/11/labels", json={"labels": []})
    assert sandbox.api("GET", "contacts?labels[]=vip").json()["payload"] == []
    assert sandbox.api("GET", "contacts/99999/labels").status_code == 404


def test_contact_export_and_import_answer_as_chatwoot(sandbox: Sandbox) -> None:
    """ContactsController#export and #import (administrators): export queues a job and answers an empty 200;
    import without a file is 422 `File is blank`. The job and the data import leave no API trace."""
    assert sandbox.api("POST", "contacts/export", token=sandbox.agent_token).status_code == 401
    exported = sandbox.api("POST", "contacts/export", json={"column_names": ["phone_number", "email"]})
    assert exported.status_code == 200 and exported.content == b""
    assert sandbox.api("POST", "contacts/import", token=sandbox.agent_token).status_code == 401
    blank = sandbox.api("POST", "contacts/import")
    assert blank.status_code == 422 and blank.json() == {"error": "File is blank"}
    imported = sandbox.api("POST", "contacts/import", files={"import_file": ("c.csv", b"name,email\nA,a@b.com\n")})
    assert imported.status_code == 200


def test_merging_moves_the_mergees_conversations_and_keeps_the_bases_values(sandbox: Sandbox) -> None:
    """ContactMergeAction: conversations, contact inboxes and messages move to the base contact, whose own values
    win; the mergee's fill what it lacks (its e-mail, freed by its deletion) and the mergee is gone."""
    identifier = sandbox.inbox("Site")["inbox_identifier"]
    public = f"{sandbox.base_url}/public/api/v1/inboxes/{identifier}"
    mergee = httpx2.post(f"{public}/contacts", json={"name": "Maria (site)", "email": "maria.site@example.com"}).json()
    conv = httpx2.post(f"{public}/contacts/{mergee['source_id']}/conversations", json={}).json()
    httpx2.post(f"{public}/contacts/{mergee['source_id']}/conversations/{conv['id']}/messages", json={"content": "oi"})
    base = sandbox.api("POST", "contacts", json={"name": "Rafa Base", "phone_number": "+5511911112222"}).json()
    base_id = base["payload"]["contact"]["id"]
    body = {"base_contact_id": base_id, "mergee_contact_id": mergee["id"]}
    merged = sandbox.api("POST", "actions/contact_merge", token=sandbox.agent_token, json=body)
    assert merged.status_code == 200, merged.text
    assert (merged.json()["name"], merged.json()["email"]) == ("Rafa Base", "maria.site@example.com")
    assert sandbox.api("GET", f"contacts/{mergee['id']}").status_code == 404
    assert [c["id"] for c in sandbox.api("GET", f"contacts/{base_id}/conversations").json()["payload"]] == [conv["id"]]
    shown = sandbox.api("GET", f"conversations/{conv['id']}").json()
    assert shown["meta"]["sender"]["id"] == base_id
    message = sandbox.api("GET", f"conversations/{conv['id']}/messages").json()["payload"][-1]
    assert message["sender"]["id"] == base_id
    again = httpx2.get(f"{public}/contacts/{mergee['source_id']}").json()  # the contact inbox moved with it
    assert again["id"] == base_id
    missing = sandbox.api("POST", "actions/contact_merge", json={**body, "mergee_contact_id": 99999})
    assert missing.status_code == 404
