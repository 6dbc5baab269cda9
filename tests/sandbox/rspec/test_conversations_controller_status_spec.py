"""Ports of spec/controllers/api/v1/accounts/conversations_controller_spec.rb's toggle_status, over HTTP against the
sandbox (the rest of that spec is in test_conversations_controller_spec.py and its siblings)."""

from __future__ import annotations

import time

import pytest

from tests.conftest import Sandbox

from .support import state_conv, user_id
from .support import token as tok

# ---- toggle_status ---------------------------------------------------------------


@pytest.mark.parametrize("body", [None, {"status": ""}])
def test_toggles_the_conversation_status(sandbox: Sandbox, body: dict | None) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'toggles the conversation status'
    (no status) and, in the later version, it 'toggles the conversation status if status is empty'."""
    response = sandbox.api("POST", "conversations/3/toggle_status", token=tok(sandbox, "bruno"), json=body)
    assert response.status_code == 200
    assert state_conv(sandbox, 3)["status"] == "resolved"


def test_toggles_the_conversation_status_to_open_from_pending(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'toggles the conversation status to
    open from pending'."""
    response = sandbox.api("POST", "conversations/1/toggle_status", token=tok(sandbox, "bruno"))
    assert response.status_code == 200
    assert state_conv(sandbox, 1)["status"] == "open"


def test_self_assign_if_agent_changes_the_conversation_status_to_open(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'self assign if agent changes the
    conversation status to open'."""
    response = sandbox.api("POST", "conversations/1/toggle_status", token=tok(sandbox, "bruno"))
    assert response.status_code == 200
    conv = state_conv(sandbox, 1)
    assert conv["status"] == "open" and conv["assignee_id"] == user_id("bruno")


def test_disbale_self_assign_if_admin_changes_the_conversation_status_to_open(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'disbale self assign if admin changes
    the conversation status to open'."""
    response = sandbox.api("POST", "conversations/1/toggle_status")
    assert response.status_code == 200
    conv = state_conv(sandbox, 1)
    assert conv["status"] == "open" and conv["assignee_id"] != user_id("admin")


def test_toggles_the_conversation_status_to_specific_status_when_parameter_is_passed(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'toggles the conversation status to
    specific status when parameter is passed'."""
    response = sandbox.api(
        "POST", "conversations/3/toggle_status", token=tok(sandbox, "bruno"), json={"status": "pending"}
    )
    assert response.status_code == 200
    assert state_conv(sandbox, 3)["status"] == "pending"


def test_toggles_the_conversation_status_to_snoozed_when_parameter_is_passed(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'toggles the conversation status to
    snoozed when parameter is passed'."""
    snoozed_until = int(time.time()) + 2 * 86400
    response = sandbox.api(
        "POST",
        "conversations/3/toggle_status",
        token=tok(sandbox, "bruno"),
        json={"status": "snoozed", "snoozed_until": snoozed_until},
    )
    assert response.status_code == 200
    conv = state_conv(sandbox, 3)
    assert conv["status"] == "snoozed" and int(conv["snoozed_until"]) == snoozed_until


def test_returns_authorized_for_arbritrary_status(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'returns authorized for arbritrary
    status' (an AgentBot token)."""
    snoozed_until = int(time.time()) + 2 * 86400
    response = sandbox.api(
        "POST",
        "conversations/3/toggle_status",
        token=sandbox.bot_token,
        json={"status": "snoozed", "snoozed_until": snoozed_until},
    )
    assert response.status_code == 200
    assert state_conv(sandbox, 3)["status"] == "snoozed"


def test_triggers_handoff_event_when_moving_from_pending_to_open(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'triggers handoff event when moving
    from pending to open' (what a client sees: 200 and the conversation open; the dispatch is internal)."""
    response = sandbox.api("POST", "conversations/1/toggle_status", token=sandbox.bot_token, json={"status": "open"})
    assert response.status_code == 200
    assert response.json()["payload"]["current_status"] == "open"
    assert state_conv(sandbox, 1)["status"] == "open"
