"""The `/_sandbox/` control API: faults, the request log, the clock and the state snapshot."""

from __future__ import annotations

import time

import httpx2

from tests.conftest import Sandbox


def test_fault_answers_the_next_matching_requests_then_expires(sandbox: Sandbox) -> None:
    sandbox.control(
        "POST",
        "faults",
        json={
            "method": "GET",
            "path": r"/api/v1/accounts/1/conversations",
            "status": 429,
            "count": 2,
            "headers": {"Retry-After": "1"},
        },
    )
    first = sandbox.api("GET", "conversations")
    assert first.status_code == 429
    assert first.headers["retry-after"] == "1" and first.text == "Retry later\n"
    assert sandbox.api("GET", "conversations/1").status_code == 200  # the path regex must match in full
    assert sandbox.api("GET", "conversations").status_code == 429
    assert sandbox.api("GET", "conversations").status_code == 200


def test_fault_with_a_json_body_and_a_method_filter(sandbox: Sandbox) -> None:
    sandbox.control(
        "POST",
        "faults",
        json={"method": "POST", "path": r".*/messages", "status": 503, "body": {"error": "manutenção"}},
    )
    assert sandbox.api("GET", "conversations/1/messages").status_code == 200
    response = sandbox.api("POST", "conversations/1/messages", json={"content": "oi"})
    assert response.status_code == 503 and response.json() == {"error": "manutenção"}
    state = sandbox.control("GET", "state")
    assert all(m["content"] != "oi" for c in state["conversations"] for m in c["messages"])


def test_delay_only_fault_slows_the_request_but_lets_it_through(sandbox: Sandbox) -> None:
    sandbox.control("POST", "faults", json={"path": r".*/conversations/1", "status": None, "delay": 0.3})
    started = time.monotonic()
    response = sandbox.api("GET", "conversations/1")
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_invalid_fault_is_refused_and_faults_can_be_cleared(sandbox: Sandbox) -> None:
    bad = httpx2.post(f"{sandbox.base_url}/_sandbox/faults", json={"path": "(", "status": 500})
    assert bad.status_code == 422
    sandbox.control("POST", "faults", json={"path": ".*", "status": 500, "count": 5})
    sandbox.control("DELETE", "faults")
    assert sandbox.api("GET", "conversations").status_code == 200


def test_request_log_records_method_path_query_status_token_kind_and_json(sandbox: Sandbox) -> None:
    sandbox.api("GET", "conversations?status=all&labels[]=a&labels[]=b")
    sandbox.api("POST", "conversations/1/messages", token=sandbox.bot_token, json={"content": "Olá"})
    sandbox.api("GET", "conversations", token="wrong")
    log = sandbox.control("GET", "requests")
    assert log[0] == {
        "method": "GET",
        "path": "/api/v1/accounts/1/conversations",
        "query": {"status": "all", "labels": ["a", "b"]},
        "status": 200,
        "token": "admin",
        "json": None,
    }
    assert (log[1]["token"], log[1]["json"], log[1]["status"]) == ("bot", {"content": "Olá"}, 200)
    assert (log[2]["token"], log[2]["status"]) == ("unknown", 401)
    sandbox.control("DELETE", "requests")
    assert sandbox.control("GET", "requests") == []


def test_reset_restores_the_seed_and_clears_faults_and_logs(sandbox: Sandbox) -> None:
    sandbox.api("POST", "conversations/1/toggle_status", json={"status": "resolved"})
    sandbox.control("POST", "faults", json={"path": ".*", "status": 500, "count": 100})
    sandbox.reset()
    assert sandbox.control("GET", "requests") == []
    assert sandbox.api("GET", "conversations/1").json()["status"] == "pending"


def test_advancing_the_clock_reopens_expired_snoozes(sandbox: Sandbox) -> None:
    snoozed = next(c for c in sandbox.control("GET", "state")["conversations"] if c["status"] == "snoozed")
    sandbox.control("POST", "clock", json={"advance": 2 * 86400})
    assert sandbox.api("GET", f"conversations/{snoozed['id']}").json()["status"] == "open"


def test_state_holds_conversations_with_status_assignee_team_labels_and_messages(sandbox: Sandbox) -> None:
    state = sandbox.control("GET", "state")
    conv = next(c for c in state["conversations"] if c["id"] == 3)
    assert (conv["status"], conv["assignee_id"], conv["team_id"], conv["labels"]) == ("open", 1, 1, ["reclamacao"])
    assert conv["messages"][0]["message_type"] == "incoming"
    assert len(state["conversations"]) == 6
    assert sorted(s["status"] for s in state["conversations"]) == [
        "open",
        "open",
        "pending",
        "pending",
        "resolved",
        "snoozed",
    ]
