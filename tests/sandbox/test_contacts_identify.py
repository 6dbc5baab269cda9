"""The public contact PATCH as ContactIdentifyAction runs it (app/controllers/public/api/v1/inboxes/
contacts_controller.rb#update, app/actions/contact_identify_action.rb, app/actions/contact_merge_action.rb): a
visitor who gives another contact's e-mail or phone number becomes that contact, records and all.

The update view renders `@contact_inbox.contact`; the stored controller versions render the action's result (the
contact that remains), and no stored version shows whether the newest one reloads the contact inbox after a merge, so
the sandbox answers with the contact the contact inbox now points to."""

from __future__ import annotations

from typing import Any

import httpx2

from tests.conftest import Sandbox
from tests.sandbox.conftest import Receiver, deliveries, wait_for


def _site(box: Sandbox) -> str:
    return f"{box.base_url}/public/api/v1/inboxes/{box.inbox('Site')['inbox_identifier']}"


def _visitor(box: Sandbox, **fields: Any) -> dict[str, Any]:
    created = httpx2.post(f"{_site(box)}/contacts", json=fields, timeout=10)
    assert created.status_code == 200, created.text
    return created.json()


def _account_contact(box: Sandbox, **fields: Any) -> dict[str, Any]:
    created = box.api("POST", "contacts", json=fields)
    assert created.status_code == 200, created.text
    return created.json()["payload"]["contact"]


def _patch(box: Sandbox, visitor: dict[str, Any], params: dict[str, Any]) -> httpx2.Response:
    return httpx2.patch(f"{_site(box)}/contacts/{visitor['source_id']}", json=params, timeout=10)


def test_giving_another_contacts_email_merges_the_visitor_and_its_conversation_into_that_contact(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    sandbox.api("POST", "webhooks", json={"webhook": {"url": receiver.url, "subscriptions": ["contact_updated"]}})
    visitor = _visitor(sandbox, name="Visitante", custom_attributes={"plano": "ouro"})
    site = f"{_site(sandbox)}/contacts/{visitor['source_id']}"
    conv = httpx2.post(f"{site}/conversations", json={}, timeout=10).json()
    said = httpx2.post(f"{site}/conversations/{conv['id']}/messages", json={"content": "oi"}, timeout=10)
    assert said.status_code == 200
    known = _account_contact(sandbox, name="Eva Souza", email="eva@example.com")

    response = _patch(sandbox, visitor, {"email": "eva@example.com"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["source_id"], body["pubsub_token"]) == (visitor["source_id"], visitor["pubsub_token"])
    assert (body["id"], body["name"], body["email"]) == (known["id"], "Eva Souza", "eva@example.com")
    assert httpx2.get(site, timeout=10).json()["id"] == known["id"]  # the contact inbox moved
    assert sandbox.api("GET", f"contacts/{visitor['id']}").status_code == 404
    stored = sandbox.api("GET", f"contacts/{known['id']}").json()["payload"]
    assert stored["custom_attributes"] == {"plano": "ouro"}  # the base had none: the visitor's fill in
    listed = sandbox.api("GET", f"contacts/{known['id']}/conversations").json()["payload"]
    assert [c["id"] for c in listed] == [conv["id"]]
    message = sandbox.api("GET", f"conversations/{conv['id']}/messages").json()["payload"][-1]
    assert message["sender"]["id"] == known["id"]
    # the merge's update of the base is the one change; the action's save changes nothing more
    wait_for(lambda: deliveries(sandbox, done=True))
    sent = deliveries(sandbox, kind="account")
    assert [(d["event"], d["payload"]["id"]) for d in sent] == [("contact_updated", known["id"])]
    assert [next(iter(change)) for change in sent[0]["payload"]["changed_attributes"]] == ["custom_attributes"]


def test_an_email_contact_then_a_phone_contact_each_absorb_the_one_before(sandbox: Sandbox) -> None:
    """E-mail first, then the phone number, looked up after the first merge: the phone number's contact (no e-mail of
    its own) survives, with the e-mail contact's e-mail; the visitor and the e-mail contact are gone."""
    visitor = _visitor(sandbox, name="Visitante")
    by_email = _account_contact(sandbox, name="Por Email", email="ana@example.com")
    by_phone = _account_contact(sandbox, name="Por Telefone", phone_number="+5511988887777")
    response = _patch(sandbox, visitor, {"email": "ana@example.com", "phone_number": "+5511988887777"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["name"]) == (by_phone["id"], "Por Telefone")
    assert (body["email"], body["phone_number"]) == ("ana@example.com", "+5511988887777")
    for gone in (visitor["id"], by_email["id"]):
        assert sandbox.api("GET", f"contacts/{gone}").status_code == 404


def test_an_email_differing_only_in_case_finds_no_contact_and_fails_uniqueness_without_merging(
    sandbox: Sandbox,
) -> None:
    """`find_by(email:)` compares as stored (lower case); the save then downcases it and the uniqueness validation,
    which ignores case, refuses it: a 422, and the visitor is still there and unchanged."""
    visitor = _visitor(sandbox, name="Visitante")
    known = _account_contact(sandbox, name="Eva Souza", email="eva@example.com")
    response = _patch(sandbox, visitor, {"email": "Eva@Example.com", "name": "Outro Nome"})
    assert response.status_code == 422
    assert response.json() == {"message": "Email has already been taken", "attributes": ["email"]}
    shown = httpx2.get(f"{_site(sandbox)}/contacts/{visitor['source_id']}", timeout=10).json()
    assert (shown["id"], shown["name"], shown["email"]) == (visitor["id"], "Visitante", None)
    assert sandbox.api("GET", f"contacts/{known['id']}").json()["payload"]["name"] == "Eva Souza"


def test_another_contacts_identifier_merges_nothing_as_the_public_controller_drops_it(sandbox: Sandbox) -> None:
    """`permitted_params.to_h.deep_symbolize_keys.except(:identifier)`: the public API cannot claim an identifier, so
    the identifier rules of the action (merge, or refuse when identifiers differ) are not reached from here."""
    visitor = _visitor(sandbox, name="Visitante")
    known = _account_contact(sandbox, name="Cliente App", identifier="app-user-42")
    response = _patch(sandbox, visitor, {"identifier": "app-user-42", "name": "Novo Nome"})
    assert response.status_code == 200, response.text
    assert (response.json()["id"], response.json()["name"]) == (visitor["id"], "Novo Nome")
    kept = sandbox.api("GET", f"contacts/{known['id']}").json()["payload"]
    assert (kept["identifier"], kept["name"]) == ("app-user-42", "Cliente App")
    assert sandbox.api("GET", f"contacts/{visitor['id']}").json()["payload"]["identifier"] is None
