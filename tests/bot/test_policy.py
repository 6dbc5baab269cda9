"""The gate's truth table, over payloads shaped like Chatwoot's own webhooks."""

from __future__ import annotations

from typing import Any

import pytest

from bot.events import parse_event
from bot.policy import decide, next_state
from bot.store.base import ConversationState
from tests.bot import payloads as p

BOT_ID = 2
HUMAN_ACTIVE = ConversationState(conversation_id=87, status="pending", human_active=True)

# (case, payload, stored state, expected action)
TABLE: list[tuple[str, dict[str, Any], ConversationState | None, str]] = [
    ("contact message, pending, unassigned", p.message(), None, "answer"),
    ("contact message, pending, assigned to our bot", p.message(assignee=p.OUR_BOT), None, "answer"),
    ("contact message, pending, assigned to another bot", p.message(assignee=p.OTHER_BOT), None, "ignore"),
    ("contact message, pending, human assignee", p.message(assignee=p.USER), None, "ignore"),
    ("contact message, open", p.message(status="open"), None, "ignore"),
    ("contact message, open and assigned", p.message(status="open", assignee=p.USER), None, "ignore"),
    ("contact message, resolved", p.message(status="resolved"), None, "ignore"),
    ("contact message, snoozed", p.message(status="snoozed"), None, "ignore"),
    ("contact message after a human spoke in pending", p.message(), HUMAN_ACTIVE, "ignore"),
    ("message_updated of a contact message", p.message(event="message_updated"), None, "ignore"),
    (
        "private note by an agent in pending",
        p.message(message_type="outgoing", private=True, sender=p.USER),
        None,
        "ignore",
    ),
    ("the bot's own reply", p.message(message_type="outgoing", sender=p.OUR_BOT), None, "ignore"),
    (
        "the bot's own reply posted with a user token (no bot token configured)",
        p.message(message_type="outgoing", sender=p.USER, source_id="bot:5500"),
        None,
        "ignore",
    ),
    (
        "a human reply that merely has some other source_id",
        p.message(message_type="outgoing", sender=p.USER, source_id="whatsapp:ABCD"),
        None,
        "takeover",
    ),
    ("another bot's reply", p.message(message_type="outgoing", sender=p.OTHER_BOT), None, "ignore"),
    ("template message", p.message(message_type="template", sender=None), None, "ignore"),
    ("activity message", p.message(message_type="activity", sender=None), None, "ignore"),
    ("incoming message with no sender", p.message(sender=None), None, "ignore"),
    ("human agent reply in pending", p.message(message_type="outgoing", sender=p.USER), None, "takeover"),
    (
        "reply typed on the phone (sender null) in pending",
        p.message(message_type="outgoing", sender=None),
        None,
        "takeover",
    ),
    ("human agent reply in open", p.message(message_type="outgoing", sender=p.USER, status="open"), None, "ignore"),
    ("status changed to open", p.conversation_event("conversation_status_changed", status="open"), None, "track"),
    ("updated back to pending", p.conversation_event("conversation_updated", status="pending"), None, "track"),
    ("legacy conversation_opened", p.conversation_event("conversation_opened", status="open"), None, "track"),
    ("legacy conversation_resolved", p.conversation_event("conversation_resolved", status="resolved"), None, "track"),
    ("typing event", {"event": "conversation_typing_on", "conversation": {"id": 87}}, None, "ignore"),
    ("contact event without a conversation", {"event": "contact_created", "id": 42}, None, "ignore"),
]


@pytest.mark.parametrize(("payload", "state", "expected"), [row[1:] for row in TABLE], ids=[row[0] for row in TABLE])
def test_the_gate_answers_only_contact_messages_in_conversations_the_bot_owns(
    payload: dict[str, Any], state: ConversationState | None, expected: str
) -> None:
    decision = decide(parse_event(payload), state, bot_id=BOT_ID)
    assert decision.action == expected
    assert decision.reason


def test_without_a_known_bot_id_any_agent_bot_assignee_counts_as_the_bot() -> None:
    event = parse_event(p.message(assignee=p.OTHER_BOT))
    assert decide(event, None, bot_id=None).action == "answer"


def test_the_contact_is_recognised_although_chatwoot_sends_no_sender_type() -> None:
    event = parse_event(p.example("message_created"))
    assert event.sender_type == "contact"
    assert (event.conversation_id, event.message_id, event.status) == (87, 5501, "pending")


def test_a_takeover_marks_the_human_stretch_and_leaving_pending_ends_it() -> None:
    takeover = parse_event(p.message(message_type="outgoing", sender=p.USER))
    state = next_state(takeover, decide(takeover, None, bot_id=BOT_ID), None, changed_at=1.0)
    assert state is not None and state.human_active and state.status == "pending"

    opened = parse_event(p.conversation_event("conversation_status_changed", status="open"))
    state = next_state(opened, decide(opened, state, bot_id=BOT_ID), state, changed_at=2.0)
    assert state is not None and not state.human_active and state.status == "open"

    back = parse_event(p.conversation_event("conversation_updated", status="pending"))
    state = next_state(back, decide(back, state, bot_id=BOT_ID), state, changed_at=3.0)
    assert state is not None and state.status == "pending"
    assert decide(parse_event(p.message()), state, bot_id=BOT_ID).action == "answer"


def test_an_event_that_changes_nothing_leaves_the_state_alone() -> None:
    state = ConversationState(conversation_id=87, status="pending", updated_at=1.0)
    event = parse_event(p.message())
    assert next_state(event, decide(event, state, bot_id=BOT_ID), state, changed_at=1.0) is None


def test_a_delivery_carrying_an_older_conversation_than_the_stored_state_changes_nothing() -> None:
    # Chatwoot does not order deliveries: "open" at t=20 was stored; "pending" from t=10 arrives after it.
    state = ConversationState(conversation_id=87, status="open", updated_at=20.0)
    late = parse_event(p.conversation_event("conversation_status_changed", status="pending"))
    assert next_state(late, decide(late, state, bot_id=BOT_ID), state, changed_at=10.0) is None
    updated = parse_event(p.message(event="message_updated", status="pending"))
    assert next_state(updated, decide(updated, state, bot_id=BOT_ID), state, changed_at=19.9) is None
    newer = next_state(late, decide(late, state, bot_id=BOT_ID), state, changed_at=30.0)
    assert newer is not None and (newer.status, newer.updated_at) == ("pending", 30.0)


def test_a_delivery_that_only_confirms_the_state_moves_its_time_on() -> None:
    # pending(1) → open(2) → pending(3), delivered as 1, 3, 2: the third must not reopen the conversation.
    state = ConversationState(conversation_id=87, status="pending", updated_at=1.0)
    confirm = parse_event(p.conversation_event("conversation_updated", status="pending"))
    state = next_state(confirm, decide(confirm, state, bot_id=BOT_ID), state, changed_at=3.0)
    assert state is not None and (state.status, state.updated_at) == ("pending", 3.0)
    late = parse_event(p.conversation_event("conversation_status_changed", status="open"))
    assert next_state(late, decide(late, state, bot_id=BOT_ID), state, changed_at=2.0) is None


def test_the_conversation_time_is_read_from_either_payload_shape() -> None:
    assert parse_event(p.message()).updated_at == p.example("message_created")["conversation"]["updated_at"]
    body = p.conversation_event("conversation_status_changed", status="open")
    assert parse_event(body).updated_at == body["updated_at"]
    body["updated_at"] = "2026-06-17T12:00:01.5Z"
    assert parse_event(body).updated_at == 1781697601.5
    body["updated_at"] = "{bad"
    assert parse_event(body).updated_at is None and parse_event({"event": "webwidget_triggered"}).updated_at is None
