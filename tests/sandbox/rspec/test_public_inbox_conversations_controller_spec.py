"""Ports of spec/controllers/public/api/v1/inbox/conversations_controller_spec.rb over HTTP."""

from __future__ import annotations

import json

from tests.conftest import Sandbox
from tests.sandbox.conftest import Receiver, wait_for

from .support import public, public_contact, subscribe


def test_return_the_conversations_for_that_contact(sandbox: Sandbox) -> None:
    """spec/controllers/public/api/v1/inbox/conversations_controller_spec.rb: it 'return the conversations for that
    contact'."""
    identifier, contact = public_contact(sandbox)
    base = f"{identifier}/contacts/{contact['source_id']}/conversations"
    created = public(sandbox, "POST", base).json()
    response = public(sandbox, "GET", base)
    assert response.status_code == 200
    assert len(response.json()) == 1 and response.json()[0]["uuid"] == created["uuid"]


def test_does_not_return_any_private_or_activity_message(sandbox: Sandbox) -> None:
    """spec/controllers/public/api/v1/inbox/conversations_controller_spec.rb: it 'does not return any private or
    activity message'."""
    identifier, contact = public_contact(sandbox)
    base = f"{identifier}/contacts/{contact['source_id']}/conversations"
    conv = public(sandbox, "POST", base).json()
    for content in ("message-1", "message-2"):
        public(sandbox, "POST", f"{base}/{conv['id']}/messages", json={"content": content})
    sandbox.api("POST", f"conversations/{conv['id']}/messages", json={"content": "private-message-1", "private": True})
    sandbox.api("POST", f"conversations/{conv['id']}/toggle_priority", json={"priority": "high"})  # an activity
    kinds = [m["message_type"] for m in sandbox.control("GET", "state")["conversations"][-1]["messages"]]
    assert "activity" in kinds
    response = public(sandbox, "GET", base)
    assert response.status_code == 200
    messages = response.json()[0]["messages"]
    assert len(messages) == 2
    assert "private-message-1" not in [m["content"] for m in messages]
    assert "activity" not in [m["message_type"] for m in messages] and 2 not in [m["message_type"] for m in messages]


def test_creates_a_conversation_for_that_contact(sandbox: Sandbox) -> None:
    """spec/controllers/public/api/v1/inbox/conversations_controller_spec.rb: it 'creates a conversation for that
    contact'."""
    identifier, contact = public_contact(sandbox)
    response = public(sandbox, "POST", f"{identifier}/contacts/{contact['source_id']}/conversations")
    assert response.status_code == 200 and response.json()["id"] is not None


def test_creates_a_conversation_with_custom_attributes_but_prevents_other_attributes(sandbox: Sandbox) -> None:
    """spec/controllers/public/api/v1/inbox/conversations_controller_spec.rb: it 'creates a conversation with custom
    attributes but prevents other attributes'."""
    identifier, contact = public_contact(sandbox)
    response = public(
        sandbox,
        "POST",
        f"{identifier}/contacts/{contact['source_id']}/conversations",
        json={"custom_attributes": {"test": "test"}, "additional_attributes": {"test": "test"}},
    )
    assert response.status_code == 200
    shown = sandbox.api("GET", f"conversations/{response.json()['id']}").json()
    assert shown["custom_attributes"] == {"test": "test"} and shown["additional_attributes"] == {}


def test_dispatches_the_correct_typing_status(sandbox: Sandbox, receiver: Receiver) -> None:
    """spec/controllers/public/api/v1/inbox/conversations_controller_spec.rb: it 'dispatches the correct typing
    status' (the dispatched event seen as the account webhook it becomes, with the contact as the user: its
    `webhook_data`, as WebhookListener#handle_typing_status writes `user.webhook_data`, which has no `type`)."""
    identifier, contact = public_contact(sandbox, name="Rita")
    base = f"{identifier}/contacts/{contact['source_id']}/conversations"
    conv = public(sandbox, "POST", base).json()
    subscribe(sandbox, receiver.url, ["conversation_typing_on"])
    response = public(sandbox, "POST", f"{base}/{conv['id']}/toggle_typing", json={"typing_status": "on"})
    assert response.status_code == 200 and response.content == b""
    wait_for(lambda: receiver.events() == ["conversation_typing_on"])
    with receiver.lock:
        body = json.loads(receiver.received[0].body)
    assert body["conversation"]["id"] == conv["id"]
    assert body["user"]["id"] == contact["id"] and "type" not in body["user"]
    assert body["user"]["account"] == {"id": sandbox.account_id, "name": body["conversation"]["account"]["name"]}


def test_updates_the_last_seen_of_the_conversation_contact(sandbox: Sandbox) -> None:
    """spec/controllers/public/api/v1/inbox/conversations_controller_spec.rb: it 'updates the last seen of the
    conversation contact'."""
    identifier, contact = public_contact(sandbox)
    base = f"{identifier}/contacts/{contact['source_id']}/conversations"
    conv = public(sandbox, "POST", base).json()
    before = sandbox.api("GET", f"conversations/{conv['id']}").json()["contact_last_seen_at"]
    response = public(sandbox, "POST", f"{base}/{conv['id']}/update_last_seen")
    assert response.status_code == 200
    assert sandbox.api("GET", f"conversations/{conv['id']}").json()["contact_last_seen_at"] != before
