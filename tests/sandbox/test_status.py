"""toggle_status: the toggle table, explicit statuses, snoozes, the bot handoff and agent self-assignment."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Sandbox


def _conv(box: Sandbox, display_id: int) -> dict[str, Any]:
    return next(c for c in box.control("GET", "state")["conversations"] if c["id"] == display_id)


def _with_status(box: Sandbox, status: str, **extra: Any) -> int:
    for conv in box.control("GET", "state")["conversations"]:
        if conv["status"] == status and all(conv[k] == v for k, v in extra.items()):
            return int(conv["id"])
    raise AssertionError(f"no seeded conversation is {status}")


@pytest.mark.parametrize(
    ("before", "after"), [("open", "resolved"), ("resolved", "open"), ("pending", "open"), ("snoozed", "open")]
)
def test_toggle_without_status_follows_chatwoots_table(sandbox: Sandbox, before: str, after: str) -> None:
    display_id = _with_status(sandbox, before)
    response = sandbox.api("POST", f"conversations/{display_id}/toggle_status", json={})
    assert response.status_code == 200
    assert response.json() == {
        "meta": {},
        "payload": {"success": True, "conversation_id": display_id, "current_status": after, "snoozed_until": None},
    }
    assert _conv(sandbox, display_id)["status"] == after


def test_blank_status_toggles_open_to_resolved(sandbox: Sandbox) -> None:
    display_id = _with_status(sandbox, "open", assignee_id=None)
    response = sandbox.api("POST", f"conversations/{display_id}/toggle_status", json={"status": ""})
    assert response.json()["payload"]["current_status"] == "resolved"


def test_explicit_status_is_set_whatever_the_current_one(sandbox: Sandbox) -> None:
    display_id = _with_status(sandbox, "open", assignee_id=None)
    response = sandbox.api("POST", f"conversations/{display_id}/toggle_status", json={"status": "pending"})
    assert response.json()["payload"] == {
        "success": True,
        "conversation_id": display_id,
        "current_status": "pending",
        "snoozed_until": None,
    }
    assert _conv(sandbox, display_id)["status"] == "pending"


def test_snooze_takes_unix_seconds_and_is_cleared_when_reopened(sandbox: Sandbox) -> None:
    display_id = _with_status(sandbox, "open", assignee_id=None)
    until = 1_900_000_000
    response = sandbox.api(
        "POST", f"conversations/{display_id}/toggle_status", json={"status": "snoozed", "snoozed_until": until}
    )
    assert response.json()["payload"]["snoozed_until"] == "2030-03-17T17:46:40.000Z"
    assert _conv(sandbox, display_id)["snoozed_until"] == until
    sandbox.api("POST", f"conversations/{display_id}/toggle_status", json={"status": "open"})
    conv = _conv(sandbox, display_id)
    assert conv["status"] == "open" and conv["snoozed_until"] is None


def test_bot_handoff_opens_sets_waiting_since_and_answers_success_null(sandbox: Sandbox) -> None:
    display_id = _with_status(sandbox, "pending")
    reply = {"content": "Já te ajudo"}
    sandbox.api("POST", f"conversations/{display_id}/messages", token=sandbox.bot_token, json=reply)
    assert _conv(sandbox, display_id)["waiting_since"] is None  # a bot reply clears it
    response = sandbox.api(
        "POST", f"conversations/{display_id}/toggle_status", token=sandbox.bot_token, json={"status": "open"}
    )
    assert response.status_code == 200
    assert response.json()["payload"] == {
        "success": None,
        "conversation_id": display_id,
        "current_status": "open",
        "snoozed_until": None,
    }
    conv = _conv(sandbox, display_id)
    assert conv["status"] == "open"
    assert conv["waiting_since"] is not None
    assert conv["assignee_id"] is None


def test_bot_toggle_without_status_is_the_generic_path_with_success_true(sandbox: Sandbox) -> None:
    display_id = _with_status(sandbox, "pending")
    response = sandbox.api("POST", f"conversations/{display_id}/toggle_status", token=sandbox.bot_token, json={})
    assert response.json()["payload"]["success"] is True
    assert _conv(sandbox, display_id)["status"] == "open"


def test_agent_opening_a_conversation_assigns_it_to_themselves(sandbox: Sandbox) -> None:
    display_id = _with_status(sandbox, "pending", inbox_id=sandbox.inbox("WhatsApp")["id"])
    bruno = sandbox.agent("agent", 0)
    response = sandbox.api(
        "POST", f"conversations/{display_id}/toggle_status", token=bruno["access_token"], json={"status": "open"}
    )
    assert response.json()["payload"]["current_status"] == "open"
    conv = _conv(sandbox, display_id)
    assert conv["assignee_id"] == bruno["id"]
    assert any(m["content"] == f"{bruno['name']} self-assigned this conversation" for m in conv["messages"])


def test_admin_opening_a_conversation_does_not_assign_it(sandbox: Sandbox) -> None:
    display_id = _with_status(sandbox, "pending")
    sandbox.api("POST", f"conversations/{display_id}/toggle_status", json={"status": "open"})
    assert _conv(sandbox, display_id)["assignee_id"] is None


def test_status_change_leaves_an_activity_message(sandbox: Sandbox) -> None:
    display_id = _with_status(sandbox, "open", assignee_id=None)
    sandbox.api("POST", f"conversations/{display_id}/toggle_status", json={"status": "resolved"})
    last = _conv(sandbox, display_id)["messages"][-1]
    assert last["message_type"] == "activity"
    assert last["content"] == "Conversation was marked resolved by Ana Administradora"


def test_status_bot_is_an_unknown_value_that_lists_nothing(sandbox: Sandbox) -> None:
    body = sandbox.api("GET", "conversations?status=bot").json()
    assert body["data"]["payload"] == []
    assert body["data"]["meta"]["all_count"] == 0
