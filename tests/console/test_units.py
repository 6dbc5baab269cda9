"""The console's pure parts: session expiry and signing, the sign-in redirect, what a webhook says."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from chatwoot_mcp.console.auth import safe_next
from chatwoot_mcp.console.live import NOTICE_WAIT, Hub, event_facts, stream
from chatwoot_mcp.console.roles import may_see, may_see_event
from chatwoot_mcp.console.sessions import Person, SessionStore

ADMIN = Person(1, "Ana", "administrator", frozenset({1, 2}))
AGENT = Person(2, "Bruno", "agent", frozenset({1}))


class FakeTools:
    closed = False

    def close(self) -> None:
        self.closed = True


def test_sessions_end_after_their_lifetime_or_when_idle_and_close_their_tool_session() -> None:
    now = [1000.0]
    store = SessionStore("secret", max_age=3600, idle=600, clock=lambda: now[0])
    tools: Any = FakeTools()
    session = store.add(ADMIN, tools, {}, {})
    cookie = store.cookie_value(session)
    now[0] += 500
    assert store.get(cookie) is session
    now[0] += 599  # used 599 s ago: still alive
    assert store.get(cookie) is session
    now[0] += 601
    assert store.get(cookie) is None and tools.closed and len(store) == 0

    tools = FakeTools()
    session = store.add(ADMIN, tools, {}, {})
    cookie = store.cookie_value(session)
    for _ in range(8):  # busy all along, but past the lifetime
        now[0] += 500
        store.get(cookie)
    assert store.get(cookie) is None and tools.closed


def test_a_forged_or_foreign_cookie_finds_no_session_and_csrf_tokens_are_bound_to_their_session() -> None:
    store = SessionStore("secret", max_age=3600, idle=600)
    session = store.add(ADMIN, FakeTools(), {}, {})  # type: ignore[arg-type]
    sid = session.id
    assert store.get(f"{sid}.{'0' * 32}") is None
    assert store.get(sid) is None and store.get("") is None
    other = SessionStore("another secret", max_age=3600, idle=600)
    assert other.get(store.cookie_value(session)) is None
    token = store.csrf_token(sid)
    assert store.csrf_ok(sid, token)
    assert (
        not store.csrf_ok("another-session", token) and not store.csrf_ok(sid, None) and not store.csrf_ok(None, token)
    )


@pytest.mark.parametrize(
    ("asked", "expected"),
    [("/c/7", "/c/7"), ("//evil.example", "/"), ("https://evil.example", "/"), ("/\\evil", "/"), (None, "/")],
)
def test_after_sign_in_the_console_only_redirects_to_its_own_pages(asked: str | None, expected: str) -> None:
    assert safe_next(asked) == expected


def conversation_update(status: str, assignee: dict[str, Any] | None, changes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "event": "conversation_updated",
        "id": 9,
        "inbox_id": 1,
        "status": status,
        "meta": {"assignee": assignee, "assignee_type": "User" if assignee else None, "sender": {"name": "Rita"}},
        "changed_attributes": changes,
    }


def test_a_webhook_tells_who_held_the_conversation_before_and_whether_the_bot_handed_it_to_people() -> None:
    handoff = event_facts(
        conversation_update("open", None, [{"status": {"previous_value": "pending", "current_value": "open"}}])
    )
    assert handoff is not None
    assert (handoff["previous_owner"], handoff["owner"], handoff["handed_to_people"]) == ("bot", "queue", True)
    moved = event_facts(
        conversation_update(
            "open", {"id": 1, "name": "Ana"}, [{"assignee_id": {"previous_value": 2, "current_value": 1}}]
        )
    )
    assert moved is not None and moved["previous_assignee_id"] == 2 and moved["assignee_id"] == 1
    assert not moved["handed_to_people"]
    # Bruno (agent 2) hears that it left him; a third agent of another inbox hears nothing.
    assert may_see_event(AGENT, moved, agents_see_queue=False)
    assert not may_see_event(Person(3, "Carla", "agent", frozenset({2})), moved, agents_see_queue=True)
    assert event_facts({"event": "contact_created", "id": 1}) is None
    assert event_facts({"event": "message_created", "conversation": {"id": "x"}}) is None


def test_agents_see_their_own_conversations_and_the_queue_of_their_inboxes_only_when_allowed() -> None:
    bot_owned = {"owner": "bot", "inbox_id": 1, "assignee": None}
    theirs = {"owner": "human", "inbox_id": 2, "assignee": {"id": 2, "type": "user"}}
    other_inbox = {"owner": "queue", "inbox_id": 2, "assignee": None}
    assert may_see(ADMIN, bot_owned, False) and may_see(AGENT, theirs, False)
    assert not may_see(AGENT, bot_owned, False) and may_see(AGENT, bot_owned, True)
    assert not may_see(AGENT, other_inbox, True)


async def next_events(stream: Any, count: int) -> list[str]:
    names = []
    with anyio.fail_after(5):
        while len(names) < count:
            names.append((await anext(stream)).event)
    return names


@pytest.mark.anyio
async def test_a_handoff_notice_waits_for_an_assignee_so_a_take_over_shows_none() -> None:
    hub = Hub(agents_see_queue=False)
    opened = event_facts(
        conversation_update("open", None, [{"status": {"previous_value": "pending", "current_value": "open"}}])
    )
    assigned = event_facts(
        conversation_update(
            "open", {"id": 1, "name": "Ana"}, [{"assignee_id": {"previous_value": None, "current_value": 1}}]
        )
    )
    assert opened is not None and assigned is not None
    events = stream(hub, ADMIN, reconnect=False)
    assert await next_events(events, 1) == ["ready"]
    # A take-over: open first, then the assignee; no notice even after the wait.
    hub.publish(opened)
    hub.publish(assigned)
    assert await next_events(events, 6) == ["changed", "conv-9", "moved"] * 2
    await anyio.sleep(NOTICE_WAIT * 1.2)  # past the moment a notice would have been shown
    hub.publish(event_facts({"event": "message_created", "conversation": {"id": 3, "status": "open"}}) or {})
    started = anyio.current_time()
    assert await next_events(events, 2) == ["changed", "conv-3"]
    # The bot's handoff: open, nobody assigned; the notice follows after the wait.
    hub.publish(opened)
    assert await next_events(events, 4) == ["changed", "conv-9", "moved", "handoff"]
    assert anyio.current_time() - started >= NOTICE_WAIT * 0.9
    await events.aclose()
    assert not hub.subscribers
