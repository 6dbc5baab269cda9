"""Ports of spec/controllers/api/v1/accounts/conversations_controller_spec.rb's toggle_priority,
toggle_typing_status, custom_attributes, update_last_seen and unread, over HTTP (the rest of that spec is in
test_conversations_controller_spec.py)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Sandbox
from tests.sandbox.conftest import Receiver, wait_for

from .support import (
    SITE,
    WHATSAPP,
    anonymous,
    new_conversation,
    state_conv,
    subscribe,
    user_id,
)
from .support import token as tok


@pytest.mark.parametrize("action", ["update_last_seen", "unread"])
def test_returns_unauthorized(sandbox: Sandbox, action: str) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'returns unauthorized'
    (update_last_seen and unread)."""
    response = anonymous(sandbox, "POST", f"conversations/1/{action}")
    assert response.status_code == 401
    assert sandbox.api("GET", "conversations/1").json()["agent_last_seen_at"] == 0


def test_updates_last_seen(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'updates last seen' (update_last_seen,
    an agent of the inbox)."""
    display_id = new_conversation(sandbox, SITE)["id"]
    assert sandbox.api("GET", f"conversations/{display_id}").json()["agent_last_seen_at"] == 0
    response = sandbox.api("POST", f"conversations/{display_id}/update_last_seen", token=tok(sandbox, "bruno"))
    assert response.status_code == 200
    assert sandbox.api("GET", f"conversations/{display_id}").json()["agent_last_seen_at"] > 0


def test_updates_assignee_last_seen(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'updates assignee last seen'."""
    display_id = new_conversation(sandbox, SITE, assignee_id=user_id("bruno"))["id"]
    assert state_conv(sandbox, display_id)["assignee_id"] == user_id("bruno")
    assert sandbox.api("GET", f"conversations/{display_id}").json()["assignee_last_seen_at"] == 0
    response = sandbox.api("POST", f"conversations/{display_id}/update_last_seen", token=tok(sandbox, "bruno"))
    assert response.status_code == 200
    assert sandbox.api("GET", f"conversations/{display_id}").json()["assignee_last_seen_at"] > 0


def test_updates_last_seen_on_unread(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'updates last seen' (unread: both
    times become a second before the last incoming message)."""
    display_id = new_conversation(sandbox, SITE)["id"]
    sent = sandbox.api(
        "POST", f"conversations/{display_id}/messages", json={"content": "Hello", "message_type": "incoming"}
    )
    assert sent.status_code == 200
    response = sandbox.api("POST", f"conversations/{display_id}/unread", token=tok(sandbox, "bruno"))
    assert response.status_code == 204
    incoming = [m for m in state_conv(sandbox, display_id)["messages"] if m["message_type"] == "incoming"]
    last_seen_at = int(incoming[-1]["created_at"] - 1)
    shown = sandbox.api("GET", f"conversations/{display_id}").json()
    assert shown["agent_last_seen_at"] == last_seen_at and shown["assignee_last_seen_at"] == last_seen_at


def test_toggles_the_conversation_priority_to_nil_if_no_value_is_passed(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'toggles the conversation priority to
    nil if no value is passed' (its body sets `low` on a conversation without priority)."""
    response = sandbox.api(
        "POST", "conversations/1/toggle_priority", token=tok(sandbox, "bruno"), json={"priority": "low"}
    )
    assert response.status_code == 200
    assert state_conv(sandbox, 1)["priority"] == "low"


def test_toggles_the_conversation_priority(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'toggles the conversation priority'
    (no value clears it)."""
    assert state_conv(sandbox, 3)["priority"] == "high"
    response = sandbox.api("POST", "conversations/3/toggle_priority", token=tok(sandbox, "bruno"))
    assert response.status_code == 200
    assert state_conv(sandbox, 3)["priority"] is None


def test_toggle_the_priority_of_the_bot_agent_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'toggle the priority of the bot agent
    conversation'."""
    sandbox.api("POST", "conversations/1/toggle_priority", json={"priority": "low"})
    response = sandbox.api(
        "POST", "conversations/1/toggle_priority", token=sandbox.bot_token, json={"priority": "high"}
    )
    assert response.status_code == 200
    assert state_conv(sandbox, 1)["priority"] == "high"


@pytest.mark.parametrize("is_private", [False, True])
def test_toggles_the_conversation_typing_status(sandbox: Sandbox, receiver: Receiver, is_private: bool) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'toggles the conversation status'
    (typing on, `is_private: false`) and it 'toggles the conversation status for private notes'
    (`is_private: true`); the dispatched event is seen as the account webhook it becomes."""
    subscribe(sandbox, receiver.url, ["conversation_typing_on"])
    response = sandbox.api(
        "POST",
        f"conversations/{WHATSAPP}/toggle_typing_status",
        token=tok(sandbox, "bruno"),
        json={"typing_status": "on", "is_private": is_private},
    )
    assert response.status_code == 200
    wait_for(lambda: receiver.events() == ["conversation_typing_on"])
    with receiver.lock:
        body = json.loads(receiver.received[0].body)
    assert body["conversation"]["id"] == WHATSAPP
    assert body["user"]["id"] == user_id("bruno") and body["is_private"] is is_private


def test_updates_last_seen_custom_attributes(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'updates last seen' (in the
    custom_attributes describe: the three attributes are stored)."""
    custom = {"user_id": 1001, "created_date": "23/12/2012", "subscription_id": 12}
    response = sandbox.api(
        "POST", "conversations/1/custom_attributes", token=tok(sandbox, "bruno"), json={"custom_attributes": custom}
    )
    assert response.status_code == 200
    assert state_conv(sandbox, 1)["custom_attributes"] == custom
    assert len(sandbox.api("GET", "conversations/1").json()["custom_attributes"]) == 3
