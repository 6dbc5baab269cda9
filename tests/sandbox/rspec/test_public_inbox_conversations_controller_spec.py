"""Ports of spec/controllers/public/api/v1/inbox/conversations_controller_spec.rb over HTTP."""

from __future__ import annotations

from tests.conftest import Sandbox

from .support import public, public_contact


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
