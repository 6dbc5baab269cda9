"""An inbox an administrator disables (`active`, chatwoot/chatwoot PR #14687): the account API that sets it, and
the widget's writing actions it stops while the visitor can still read what is there."""

from __future__ import annotations

from typing import Any

import httpx2

from tests.conftest import Sandbox
from tests.sandbox.widget_support import widget_inbox, widget_request, widget_session

DISABLED = {"error": "inbox_disabled", "message": "This inbox is currently disabled"}


def _set_active(box: Sandbox, inbox_id: int, active: Any) -> httpx2.Response:
    return box.api("PATCH", f"inboxes/{inbox_id}", json={"active": active})


def _visitor_with_a_conversation(box: Sandbox) -> tuple[dict[str, Any], str]:
    """A widget inbox (without the e-mail collect messages, which are not what this is about) and a visitor's
    session whose first message opened a conversation."""
    inbox = widget_inbox(box)
    assert box.api("PATCH", f"inboxes/{inbox['id']}", json={"enable_email_collect": False}).status_code == 200
    token = widget_session(box, inbox["website_token"])["website_channel_config"]["auth_token"]
    body = {"website_token": inbox["website_token"], "message": {"content": "Oi"}}
    assert widget_request(box, "POST", "messages", token, json=body).status_code == 200
    return inbox, token


def _messages(box: Sandbox, inbox: dict[str, Any], token: str) -> list[dict[str, Any]]:
    response = widget_request(box, "GET", "messages", token, params={"website_token": inbox["website_token"]})
    assert response.status_code == 200, response.text
    return response.json()["payload"]


def test_an_administrator_disables_and_enables_an_inbox_through_the_inbox_api(sandbox: Sandbox) -> None:
    """`active` is an inbox column (true by default) rendered in the inbox payload and set by `PATCH
    /inboxes/{id}`; a null is refused as the NOT NULL column refuses it."""
    inbox = widget_inbox(sandbox)
    assert inbox["active"] is True
    assert _set_active(sandbox, inbox["id"], False).json()["active"] is False
    listed = next(i for i in sandbox.api("GET", "inboxes").json()["payload"] if i["id"] == inbox["id"])
    assert listed["active"] is False
    assert sandbox.api("GET", f"inboxes/{inbox['id']}").json()["active"] is False
    assert _set_active(sandbox, inbox["id"], None).status_code == 500
    assert _set_active(sandbox, inbox["id"], "true").json()["active"] is True


def test_a_disabled_widget_refuses_the_visitors_writes_and_keeps_the_reads(sandbox: Sandbox) -> None:
    """While disabled: a message, a message's answer, ending the conversation and its custom attributes are refused
    with 403 `inbox_disabled` and change nothing; the messages, the current conversation and the seen marker stay
    open to the visitor. Enabled again, the visitor writes again."""
    inbox, token = _visitor_with_a_conversation(sandbox)
    site = {"website_token": inbox["website_token"]}
    first = _messages(sandbox, inbox, token)
    assert _set_active(sandbox, inbox["id"], False).status_code == 200
    refused = (
        ("POST", "messages", {"message": {"content": "Ainda aí?"}}),
        ("PATCH", f"messages/{first[0]['id']}", {"message": {"submitted_values": [{"title": "Sim", "value": "s"}]}}),
        ("POST", "conversations/set_custom_attributes", {"custom_attributes": {"plan": "pro"}}),
        ("POST", "conversations/destroy_custom_attributes", {"custom_attribute": ["plan"]}),
    )
    for method, path, body in refused:
        response = widget_request(sandbox, method, path, token, json={**site, **body})
        assert (response.status_code, response.json()) == (403, DISABLED), path
    response = widget_request(sandbox, "GET", "conversations/toggle_status", token, params=site)
    assert (response.status_code, response.json()) == (403, DISABLED)
    assert _messages(sandbox, inbox, token) == first
    current = widget_request(sandbox, "GET", "conversations", token, params=site).json()
    assert current["status"] == "open"
    state = next(c for c in sandbox.control("GET", "state")["conversations"] if c["id"] == current["id"])
    assert state["status"] == "open"
    assert widget_request(sandbox, "POST", "conversations/update_last_seen", token, json=site).status_code == 200
    assert _set_active(sandbox, inbox["id"], True).status_code == 200
    again = widget_request(sandbox, "POST", "messages", token, json={**site, "message": {"content": "Ainda aí?"}})
    assert again.status_code == 200
    assert [m["content"] for m in _messages(sandbox, inbox, token)] == ["Oi", "Ainda aí?"]
