"""ReportingEventListener: the reporting events Chatwoot writes when conversations change hands, get replies and
are resolved; reports v2 are computed from these rows."""

from __future__ import annotations

from .state import OUTGOING, Conversation, Message, ReportingEvent, Store


def _event(
    store: Store, conv: Conversation, name: str, value: float, start: float, end: float, user_id: int | None
) -> ReportingEvent:
    event = ReportingEvent(
        id=store.next_id("reporting_event"),
        account_id=conv.account_id,
        name=name,
        value=value,
        inbox_id=conv.inbox_id,
        user_id=user_id,
        conversation_id=conv.id,
        created_at=store.now(),
        event_start_time=start,
        event_end_time=end,
    )
    store.add_reporting_event(event)
    return event


def _handoff(store: Store, conv: Conversation) -> ReportingEvent | None:
    return store.bot_handoffs.get(conv.id)


def bot_handoff(store: Store, conv: Conversation) -> None:
    """`conversation_bot_handoff`, once per conversation (a `find_by` guard): a second handoff is not counted."""
    if _handoff(store, conv) is not None:
        return
    now = store.now()
    _event(
        store, conv, "conversation_bot_handoff", int(now) - int(conv.created_at), conv.created_at, now, conv.assignee_id
    )


def status_changed(store: Store, conv: Conversation) -> None:
    """`conversation_resolved` (and `conversation_bot_resolved` in a bot inbox no person has written in)."""
    if conv.status != "resolved":
        return
    now = store.now()
    value = int(now) - int(conv.created_at)
    _event(store, conv, "conversation_resolved", value, conv.created_at, now, conv.assignee_id)
    person_wrote = any(m.message_type == OUTGOING and m.sender_type == "User" for m in conv.messages)
    if store.inboxes[conv.inbox_id].agent_bot_id is not None and not person_wrote:
        _event(store, conv, "conversation_bot_resolved", value, conv.created_at, now, conv.assignee_id)


def message_created(
    store: Store, conv: Conversation, message: Message, *, first_reply: bool, waiting_since: float | None
) -> None:
    """A person's public reply: `first_response` (from the bot handoff, else the creation) and `reply_time`."""
    if message.message_type != OUTGOING or message.private or message.sender_type != "User":
        return
    if first_reply:
        handoff = _handoff(store, conv)
        start = handoff.event_end_time if handoff else conv.created_at
        _event(
            store,
            conv,
            "first_response",
            int(message.created_at) - int(start),
            start,
            message.created_at,
            message.sender_id,
        )
    if waiting_since is not None:
        _event(
            store,
            conv,
            "reply_time",
            int(message.created_at) - int(waiting_since),
            waiting_since,
            message.created_at,
            message.sender_id,
        )
