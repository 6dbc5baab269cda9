"""Ports of spec/controllers/api/v1/accounts/conversations_controller_spec.rb's update_last_seen and unread, over
HTTP (the rest of that spec is in test_conversations_controller_spec.py)."""

from __future__ import annotations

import pytest

from tests.conftest import Sandbox

from .support import SITE, anonymous, new_conversation, state_conv
from .support import token as tok
from .support import user_id


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
    sent = sandbox.api("POST", f"conversations/{display_id}/messages",
                       json={"content": "Hello", "message_type": "incoming"})
    assert sent.status_code == 200
    response = sandbox.api("POST", f"conversations/{display_id}/unread", token=tok(sandbox, "bruno"))
    assert response.status_code == 204
    incoming = [m for m in state_conv(sandbox, display_id)["messages"] if m["message_type"] == "incoming"]
    last_seen_at = int(incoming[-1]["created_at"] - 1)
    shown = sandbox.api("GET", f"conversations/{display_id}").json()
    assert shown["agent_last_seen_at"] == last_seen_at and shown["assignee_last_seen_at"] == last_seen_at
