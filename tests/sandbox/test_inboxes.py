"""Inboxes made, staffed and deleted through the API stay consistent with everything that lists or indexes them:
conversation lists, counts and search, contacts, webhooks, reporting events and the public API."""

from __future__ import annotations

from typing import Any

from tests.conftest import Sandbox

from .rspec.support import SITE, WHATSAPP, public, token


def _ids(box: Sandbox, path: str, who: str = "admin") -> list[int]:
    response = box.api("GET", path, token=token(box, who))
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["data"]["payload"]]


def _all_count(box: Sandbox, who: str = "admin") -> int:
    response = box.api("GET", "conversations/meta?status=all", token=token(box, who))
    assert response.status_code == 200, response.text
    return response.json()["meta"]["all_count"]


def _api_inbox(box: Sandbox, name: str = "Loja") -> dict[str, Any]:
    response = box.api("POST", "inboxes", json={"name": name, "channel": {"type": "api"}})
    assert response.status_code == 200, response.text
    return response.json()


def test_deleting_an_inbox_takes_its_conversations_out_of_every_list_count_and_search(sandbox: Sandbox) -> None:
    state = sandbox.control("GET", "state")
    site = [c["id"] for c in state["conversations"] if c["inbox_id"] == SITE]
    kept = [c["id"] for c in state["conversations"] if c["inbox_id"] != SITE]
    total = _all_count(sandbox)
    assert "Campinas" in sandbox.api("GET", "conversations/search?q=Campinas").text
    hook = {"url": "https://example.com/site", "subscriptions": ["message_created"], "inbox_id": SITE}
    assert sandbox.api("POST", "webhooks", json={"webhook": hook}).status_code == 200
    identifier = sandbox.inbox("Site")["inbox_identifier"]
    sandbox.api("POST", f"conversations/{site[0]}/toggle_status", json={"status": "resolved"})
    assert sandbox.api("GET", f"reporting_events?inbox_id={SITE}").json()["meta"]["count"] > 0

    assert sandbox.api("DELETE", f"inboxes/{SITE}").status_code == 200

    assert sorted(_ids(sandbox, "conversations?status=all")) == sorted(kept)
    assert _all_count(sandbox) == total - len(site)
    assert _all_count(sandbox, "bruno") == len(kept)  # Bruno was a member of both inboxes
    assert sandbox.api("GET", "conversations/search?q=Campinas").json()["payload"] == []
    assert all(sandbox.api("GET", f"conversations/{i}").status_code == 404 for i in site)
    for contact in sandbox.control("GET", "state")["contacts"]:
        shown = sandbox.api("GET", f"contacts/{contact['id']}").json()["payload"]
        assert SITE not in [ci["inbox"]["id"] for ci in shown.get("contact_inboxes", [])]
    assert sandbox.api("GET", "webhooks").json()["payload"]["webhooks"] == []
    assert sandbox.api("GET", f"reporting_events?inbox_id={SITE}").json()["meta"]["count"] == 0
    assert public(sandbox, "GET", identifier).status_code == 404
    assert [i["id"] for i in sandbox.api("GET", "inboxes", token=token(sandbox, "bruno")).json()["payload"]] == [
        WHATSAPP
    ]
    assert sandbox.api("POST", "conversations", json={"inbox_id": SITE, "contact_id": 12}).status_code == 404
    for contact in {c["contact_id"] for c in state["conversations"] if c["id"] in site}:
        listed = sandbox.api("GET", f"contacts/{contact}/conversations").json()["payload"]
        assert not [c for c in listed if c["id"] in site]
    created = sandbox.api("POST", "conversations", json={"inbox_id": WHATSAPP, "contact_id": 11})
    assert created.status_code == 200 and created.json()["id"] > max(site + kept)  # display ids are not reused


def test_an_inbox_made_through_the_api_serves_the_public_api_and_its_members_only(sandbox: Sandbox) -> None:
    inbox = _api_inbox(sandbox)
    added = sandbox.api("POST", "inbox_members", json={"inbox_id": inbox["id"], "user_ids": [3]})
    assert added.status_code == 200, added.text
    identifier = inbox["inbox_identifier"]
    contact = public(sandbox, "POST", f"{identifier}/contacts", json={"name": "Cliente da loja"}).json()
    conv = public(sandbox, "POST", f"{identifier}/contacts/{contact['source_id']}/conversations", json={}).json()
    message = public(
        sandbox,
        "POST",
        f"{identifier}/contacts/{contact['source_id']}/conversations/{conv['id']}/messages",
        json={"content": "Vocês têm o modelo azul?"},
    )
    assert message.status_code == 200, message.text
    assert conv["status"] == "open"  # no bot on the new inbox
    assert conv["id"] in _ids(sandbox, "conversations", "carla")
    assert conv["id"] not in _ids(sandbox, "conversations", "bruno")
    assert _ids(sandbox, f"conversations?inbox_id={inbox['id']}") == [conv["id"]]
    found = sandbox.api("GET", "conversations/search?q=modelo azul", token=token(sandbox, "carla"))
    assert [c["id"] for c in found.json()["payload"]] == [conv["id"]]
    assert sandbox.api("GET", f"conversations/{conv['id']}", token=token(sandbox, "bruno")).status_code == 401


def test_invalid_inboxes_are_refused_with_rails_validation_errors(sandbox: Sandbox) -> None:
    cases = [
        ({"name": "", "channel": {"type": "api"}}, ["name"]),
        ({"name": "Loja <b>", "channel": {"type": "api"}}, ["name"]),
        ({"name": "Loja", "channel": {"type": "telegram", "bot_token": "1"}}, ["channel"]),
        ({"name": "Loja", "channel": {"type": "line", "line_channel_id": "1"}}, ["line_channel_secret"]),
        ({"name": "Loja", "channel": {"type": "sms"}}, ["phone_number"]),
        ({"name": "Loja", "channel": {"type": "email"}}, ["email"]),
        ({"name": "Loja", "channel": {"type": "whatsapp", "provider": "default"}}, ["phone_number"]),
        ({"name": "Loja"}, ["channel"]),
        ({"name": "Loja", "channel": {"type": "web_widget"}}, ["website_url"]),
        ({"name": "Loja", "timezone": "Lua/Crateras", "channel": {"type": "api"}}, ["timezone"]),
    ]
    for body, attributes in cases:
        response = sandbox.api("POST", "inboxes", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["attributes"] == attributes
    assert len(sandbox.api("GET", "inboxes").json()["payload"]) == 2
    bad = sandbox.api("PATCH", f"inboxes/{SITE}", json={"sender_name_type": "anonymous"})
    assert bad.status_code == 422
    assert sandbox.api("GET", f"inboxes/{SITE}").json()["sender_name_type"] == "friendly"


def test_a_web_widget_inbox_is_not_reachable_through_the_public_api_and_hides_its_hmac_token_from_agents(
    sandbox: Sandbox,
) -> None:
    body = {"name": "Chat", "channel": {"type": "web_widget", "website_url": "acme.com.br"}}
    widget = sandbox.api("POST", "inboxes", json=body).json()
    assert widget["hmac_token"] and widget["website_token"]
    assert public(sandbox, "GET", widget["website_token"]).status_code == 404
    assert sandbox.api("GET", f"inboxes/{widget['id']}", token=token(sandbox, "bruno")).status_code == 401
    sandbox.api("POST", "inbox_members", json={"inbox_id": widget["id"], "user_ids": [2]})
    seen = sandbox.api("GET", f"inboxes/{widget['id']}", token=token(sandbox, "bruno")).json()
    assert seen["website_token"] == widget["website_token"] and "hmac_token" not in seen


def test_the_inbox_list_is_ordered_by_name_without_case(sandbox: Sandbox) -> None:
    """InboxesController#index: `order_by_name`, `lower(name) ASC`."""
    _api_inbox(sandbox, "zeta")
    _api_inbox(sandbox, "Atendimento")
    names = [i["name"] for i in sandbox.api("GET", "inboxes").json()["payload"]]
    assert names == ["Atendimento", "Site", "WhatsApp", "zeta"]


def test_a_form_encoded_update_changes_the_inbox_as_json_does(sandbox: Sandbox) -> None:
    response = sandbox.api("PATCH", f"inboxes/{SITE}", data={"name": "Site novo", "greeting_enabled": "true"})
    assert response.status_code == 200, response.text
    found = sandbox.api("GET", f"inboxes/{SITE}").json()
    assert found["name"] == "Site novo" and found["greeting_enabled"] is True


def test_twilio_channels_are_created_by_administrators_with_their_credentials(sandbox: Sandbox) -> None:
    """`POST …/channels/twilio_channel` (TwilioChannelsController#create): administrators only; a missing
    credential, a missing number or a number taken is the controller's 422 `{"error": message}`."""
    body = {"name": "SMS", "account_sid": "AC1", "auth_token": "t", "phone_number": "+15550001111"}
    agent = sandbox.api("POST", "channels/twilio_channel", token=token(sandbox, "bruno"), json={"twilio_channel": body})
    assert agent.status_code == 401
    made = sandbox.api("POST", "channels/twilio_channel", json={"twilio_channel": body})
    assert made.status_code == 200, made.text
    assert (made.json()["phone_number"], made.json()["medium"]) == ("+15550001111", "sms")
    cases = [
        ({**body, "phone_number": "+15550002222", "account_sid": ""}, "Validation failed: Account sid can't be blank"),
        (body, "Validation failed: Phone number has already been taken"),
        ({}, "param is missing or the value is empty: twilio_channel"),
    ]
    for given, error in cases:
        refused = sandbox.api("POST", "channels/twilio_channel", json={"twilio_channel": given})
        assert refused.status_code == 422 and refused.json() == {"error": error}
