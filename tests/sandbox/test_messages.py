"""Messages: MessageFinder's windows (20 / 100 / 1000), create parameters, senders and the flood limit."""

from __future__ import annotations

import httpx2

from tests.conftest import Sandbox


def _post_many(box: Sandbox, display_id: int, count: int) -> list[int]:
    ids = []
    base = f"{box.base_url}/api/v1/accounts/{box.account_id}/conversations/{display_id}/messages"
    with httpx2.Client(headers={"api_access_token": box.admin_token}, timeout=10) as client:
        for index in range(count):
            response = client.post(base, json={"content": f"m{index}"})
            assert response.status_code == 200
            ids.append(response.json()["id"])
    return ids


def test_latest_twenty_ascending_then_before_and_after_windows(sandbox: Sandbox) -> None:
    ids = _post_many(sandbox, 1, 130)
    latest = sandbox.api("GET", "conversations/1/messages").json()["payload"]
    assert [m["id"] for m in latest] == ids[-20:]
    before = sandbox.api("GET", f"conversations/1/messages?before={ids[-20]}").json()["payload"]
    assert [m["id"] for m in before] == ids[-40:-20]
    after = sandbox.api("GET", f"conversations/1/messages?after={ids[0]}").json()["payload"]
    assert [m["id"] for m in after] == ids[1:101]
    both = sandbox.api("GET", f"conversations/1/messages?after={ids[0]}&before={ids[-1]}").json()["payload"]
    assert [m["id"] for m in both] == ids[:-1]


def test_created_message_is_rendered_with_integer_type_and_echo_id(sandbox: Sandbox) -> None:
    response = sandbox.api(
        "POST",
        "conversations/1/messages",
        json={
            "content": "Nota interna",
            "private": True,
            "echo_id": "e-1",
            "source_id": "bot:42",
            "content_attributes": {"in_reply_to": 1001},
        },
    )
    body = response.json()
    assert body["message_type"] == 1 and body["private"] is True
    assert body["echo_id"] == "e-1" and body["source_id"] == "bot:42"
    assert body["content_attributes"] == {"in_reply_to": 1001}
    assert body["sender"]["type"] == "user" and body["conversation_id"] == 1
    listed = sandbox.api("GET", "conversations/1/messages").json()["payload"][-1]
    assert "echo_id" not in listed and listed["source_id"] == "bot:42"


def test_message_by_a_bot_token_has_an_agent_bot_sender(sandbox: Sandbox) -> None:
    body = sandbox.api("POST", "conversations/1/messages", token=sandbox.bot_token, json={"content": "Oi!"}).json()
    assert body["sender"] == {"id": sandbox.agent_bot_id, "name": "BIA", "avatar_url": "", "type": "agent_bot"}


def test_sender_type_agent_bot_with_a_user_token_speaks_as_the_bot(sandbox: Sandbox) -> None:
    body = sandbox.api(
        "POST",
        "conversations/1/messages",
        json={"content": "Oi!", "sender_type": "AgentBot", "sender_id": sandbox.agent_bot_id},
    ).json()
    assert body["sender"]["type"] == "agent_bot"


def test_incoming_message_over_rest_comes_from_the_contact(sandbox: Sandbox) -> None:
    body = sandbox.api(
        "POST", "conversations/1/messages", json={"content": "sou eu", "message_type": "incoming"}
    ).json()
    assert body["message_type"] == 0 and body["sender"]["type"] == "contact"


def test_human_reply_keeps_a_pending_conversation_pending(sandbox: Sandbox) -> None:
    sandbox.api("POST", "conversations/1/messages", token=sandbox.agent_token, json={"content": "Oi, sou o Bruno"})
    assert sandbox.api("GET", "conversations/1").json()["status"] == "pending"


def test_two_hundred_messages_a_minute_then_422(sandbox: Sandbox) -> None:
    _post_many(sandbox, 2, 200)  # the seeded messages are over an hour old and do not count
    response = sandbox.api("POST", "conversations/2/messages", json={"content": "uma a mais"})
    assert response.status_code == 422
    assert response.json() == {"error": "Validation failed: Too many messages"}
    assert sandbox.api("POST", "conversations/1/messages", json={"content": "outra conversa"}).status_code == 200
    sandbox.reset()
    assert sandbox.api("POST", "conversations/2/messages", json={"content": "depois do reset"}).status_code == 200


def test_bot_cannot_list_messages(sandbox: Sandbox) -> None:
    response = sandbox.api("GET", "conversations/1/messages", token=sandbox.bot_token)
    assert response.status_code == 401


def test_deleted_message_is_soft_deleted(sandbox: Sandbox) -> None:
    body = sandbox.api("DELETE", "conversations/1/messages/1001").json()
    assert body["content"] == "This message was deleted" and body["content_attributes"]["deleted"] is True


def test_message_status_update_marks_it_failed_with_the_external_error(sandbox: Sandbox) -> None:
    response = sandbox.api(
        "PATCH", "conversations/2/messages/1004", json={"status": "failed", "external_error": "número inválido"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "failed"
    state = sandbox.control("GET", "state")
    msg = next(m for c in state["conversations"] for m in c["messages"] if m["id"] == 1004)
    assert msg["status"] == "failed" and msg["content_attributes"]["external_error"] == "número inválido"
    assert sandbox.api("PATCH", "conversations/2/messages/1004", json={"status": "lost"}).status_code == 422
