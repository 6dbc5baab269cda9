"""Read and unread as ConversationsController#update_last_seen and #unread do them, and `unread_count` as
Conversation#unread_incoming_messages counts it (app/controllers/api/v1/accounts/conversations_controller.rb,
app/models/conversation.rb)."""

from __future__ import annotations

from typing import Any

import httpx2

from tests.conftest import Sandbox
from tests.sandbox.conftest import Receiver, deliveries, wait_for


def _customer_says(box: Sandbox, display_id: int, content: str) -> None:
    conv = next(c for c in box.control("GET", "state")["conversations"] if c["id"] == display_id)
    inbox = next(i for i in box.info["inboxes"] if i["id"] == conv["inbox_id"])
    url = (
        f"{box.base_url}/public/api/v1/inboxes/{inbox['inbox_identifier']}/contacts/{conv['source_id']}"
        f"/conversations/{display_id}/messages"
    )
    assert httpx2.post(url, json={"content": content}, timeout=10).status_code == 200


def _conv(box: Sandbox, display_id: int, token: str | None = None) -> dict[str, Any]:
    return box.api("GET", f"conversations/{display_id}", token=token).json()


def _advance(box: Sandbox, seconds: float) -> None:
    box.control("POST", "clock", json={"advance": seconds})


def test_update_last_seen_clears_the_unread_count_and_renders_the_conversation(sandbox: Sandbox) -> None:
    assert _conv(sandbox, 1)["unread_count"] == 1  # never seen: every incoming message is unread
    seen = sandbox.api("POST", "conversations/1/update_last_seen")
    assert seen.status_code == 200
    body = seen.json()
    assert body["id"] == 1 and body["unread_count"] == 0 and body["agent_last_seen_at"] > 0
    assert _conv(sandbox, 1)["unread_count"] == 0


def test_only_incoming_messages_are_unread_and_the_count_stops_at_ten(sandbox: Sandbox) -> None:
    sandbox.api("POST", "conversations/4/update_last_seen")
    _advance(sandbox, 1)
    sandbox.api("POST", "conversations/4/messages", json={"content": "Já vou ver"})
    sandbox.api("POST", "conversations/4/messages", json={"content": "nota", "private": True})
    assert _conv(sandbox, 4)["unread_count"] == 0
    for n in range(12):
        _customer_says(sandbox, 4, f"mensagem {n}")
    listed = sandbox.api("GET", "conversations?status=open").json()["data"]["payload"]
    assert next(c for c in listed if c["id"] == 4)["unread_count"] == 10  # `.last(10)`


def test_unread_marks_the_last_incoming_message_unread_again(sandbox: Sandbox) -> None:
    _customer_says(sandbox, 4, "primeira")
    _advance(sandbox, 5)
    _customer_says(sandbox, 4, "segunda")
    sandbox.api("POST", "conversations/4/update_last_seen")
    assert _conv(sandbox, 4)["unread_count"] == 0
    unread = sandbox.api("POST", "conversations/4/unread")
    assert unread.status_code == 204 and unread.content == b""  # no view: Rails' 204 No Content
    assert _conv(sandbox, 4)["unread_count"] == 1  # seen until a second before "segunda"


def test_unread_without_any_incoming_message_forgets_the_last_seen_time(sandbox: Sandbox) -> None:
    site = sandbox.inbox("Site")["id"]
    created = sandbox.api(
        "POST", "conversations", json={"inbox_id": site, "contact_id": 11, "message": {"content": "Olá, aqui é a Acme"}}
    ).json()
    sandbox.api("POST", f"conversations/{created['id']}/update_last_seen")
    assert _conv(sandbox, created["id"])["agent_last_seen_at"] > 0
    sandbox.api("POST", f"conversations/{created['id']}/unread")
    after = _conv(sandbox, created["id"])
    assert after["agent_last_seen_at"] == 0 and after["assignee_last_seen_at"] == 0 and after["unread_count"] == 0


def test_with_nothing_new_the_last_seen_time_is_written_at_most_once_an_hour(sandbox: Sandbox) -> None:
    first = sandbox.api("POST", "conversations/1/update_last_seen").json()["agent_last_seen_at"]
    _advance(sandbox, 120)
    again = sandbox.api("POST", "conversations/1/update_last_seen").json()["agent_last_seen_at"]
    assert again == first  # nothing unread and seen two minutes ago: not written
    _advance(sandbox, 3600)
    later = sandbox.api("POST", "conversations/1/update_last_seen").json()["agent_last_seen_at"]
    assert later >= first + 3720


def test_a_new_message_of_any_kind_lets_the_time_be_written_at_once(sandbox: Sandbox) -> None:
    first = sandbox.api("POST", "conversations/4/update_last_seen").json()["agent_last_seen_at"]
    _advance(sandbox, 30)
    sandbox.api("POST", "conversations/4/messages", json={"content": "resposta"})  # outgoing counts here
    _advance(sandbox, 30)
    assert sandbox.api("POST", "conversations/4/update_last_seen").json()["agent_last_seen_at"] >= first + 60


def test_the_assignee_moves_both_times_and_another_agent_only_the_agent_time(sandbox: Sandbox) -> None:
    _customer_says(sandbox, 6, "Paguei o boleto")  # snoozed, assigned to Bruno (agent): reopens
    bruno = sandbox.agent_token
    _advance(sandbox, 1)
    by_assignee = sandbox.api("POST", "conversations/6/update_last_seen", token=bruno).json()
    assert by_assignee["assignee_last_seen_at"] == by_assignee["agent_last_seen_at"] > 0
    _customer_says(sandbox, 6, "Conseguem confirmar?")
    _advance(sandbox, 1)
    by_admin = sandbox.api("POST", "conversations/6/update_last_seen").json()  # not the assignee
    assert by_admin["agent_last_seen_at"] > by_assignee["agent_last_seen_at"]
    assert by_admin["assignee_last_seen_at"] == by_assignee["assignee_last_seen_at"]


def test_read_and_unread_need_a_user_who_may_see_the_conversation(sandbox: Sandbox) -> None:
    for action in ("update_last_seen", "unread"):
        bot = sandbox.api("POST", f"conversations/1/{action}", token=sandbox.bot_token)
        assert bot.status_code == 401
        assert bot.json() == {"error": "Access to this endpoint is not authorized for bots"}
        carla = sandbox.agent("agent", 1)["access_token"]  # not a member of Site (conversation 2)
        refused = sandbox.api("POST", f"conversations/2/{action}", token=carla)
        assert refused.status_code == 401 and refused.json() == {"error": "You are not authorized to do this action"}
        assert sandbox.api("POST", f"conversations/999/{action}").status_code == 404


def test_reading_sends_no_webhook(sandbox: Sandbox, receiver: Receiver) -> None:
    sandbox.api(
        "POST",
        "webhooks",
        json={
            "webhook": {
                "url": receiver.url,
                "subscriptions": ["conversation_updated", "conversation_status_changed", "message_updated"],
            }
        },
    )
    sandbox.api("POST", "conversations/1/update_last_seen")
    sandbox.api("POST", "conversations/1/unread")
    sandbox.api("POST", "conversations/4/toggle_priority", json={"priority": "low"})  # a change that is sent
    deliveries_now = wait_for(lambda: deliveries(sandbox, kind="account", done=True))
    assert [d["event"] for d in deliveries_now] == ["conversation_updated"]
    assert deliveries_now[0]["conversation_id"] == 4
