"""The gate: a pure decision on what to do with one webhook event; no I/O, no clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.events import CONVERSATION_EVENTS, WebhookEvent, is_own_source
from bot.store.base import ConversationState

Action = Literal["answer", "takeover", "track", "ignore"]


@dataclass(frozen=True)
class Decision:
    """answer: queue a reply; takeover: a human spoke, stop and (optionally) open it;
    track: remember the conversation's new status; ignore: nothing to do. `reason` is for the log."""

    action: Action
    reason: str


def ignore(reason: str) -> Decision:
    return Decision("ignore", reason)


def decide(event: WebhookEvent, state: ConversationState | None, *, bot_id: int | None) -> Decision:
    """Should the bot answer, step back, or just take note? `bot_id` None: any AgentBot assignee counts as us."""
    if event.conversation_id is None:
        return ignore(f"{event.event} without a conversation id")
    if event.event in CONVERSATION_EVENTS:
        if event.status is None:
            return ignore(f"{event.event} without a status")
        return Decision("track", f"conversation is now {event.status}")
    if event.event != "message_created":
        return ignore(f"event {event.event} is not acted on")
    if event.message_id is None:
        return ignore("message without an id")
    if event.private:
        return ignore("private note")
    if event.message_type in ("template", "activity"):
        return ignore(f"{event.message_type} message")
    if event.message_type == "outgoing":
        if is_own_source(event.source_id):
            return ignore("our own reply (posted with the bot's source_id)")
        if event.sender_type == "agent_bot":
            return ignore("outgoing message from an AgentBot (our own or another bot's)")
        if event.sender_type not in ("user", None):
            return ignore(f"outgoing message from a {event.sender_type}")
        if event.status == "pending":
            who = "a human agent" if event.sender_type == "user" else "someone on the phone (no sender)"
            return Decision("takeover", f"{who} replied in a pending conversation")
        return ignore(f"human message in a {event.status} conversation")
    if event.message_type != "incoming":
        return ignore(f"message type {event.message_type!r}")
    if event.sender_type != "contact":
        return ignore(f"incoming message sent by a {event.sender_type}, not the contact")
    if event.status != "pending":
        return ignore(f"conversation is {event.status}, not pending")
    if event.assignee_type is not None and event.assignee_type != "AgentBot":
        return ignore("conversation has a human assignee")
    if event.assignee_type == "AgentBot" and bot_id is not None and event.assignee_id != bot_id:
        return ignore("conversation is assigned to another AgentBot")
    if state is not None and state.human_active:
        return ignore("a human agent took over this pending conversation")
    return Decision("answer", "customer message in a pending conversation the bot owns")


def next_state(
    event: WebhookEvent, decision: Decision, state: ConversationState | None, *, changed_at: float | None = None
) -> ConversationState | None:
    """The conversation state after this event, or None when it does not change. `changed_at` is the
    conversation's `updated_at` in the payload: Chatwoot does not order its deliveries, so one that carries an
    older conversation than the stored state was built from changes nothing."""
    if event.conversation_id is None or (decision.action == "ignore" and event.status is None):
        return None
    if state is not None and changed_at is not None and changed_at < state.updated_at:
        return None
    current = state or ConversationState(conversation_id=event.conversation_id)
    status = event.status or current.status
    human_active = current.human_active
    if decision.action == "takeover":
        human_active = True
    elif status != "pending":
        # Leaving pending ends the human stretch: when it comes back to pending, the bot answers again.
        human_active = False
    # The reply-rate handoff is once per bot stretch: it is re-armed when the conversation comes back to the bot.
    returned = current.status not in (None, "pending") and status == "pending"
    limit_sent = current.limit_handoff_sent and not returned
    # The state remembers the newest conversation it was built from (the payload's time, not the bot's clock),
    # also when a delivery it acts on only confirms it: an older one arriving later must not win over it. An
    # ignored one (the bot's own reply, a note) that changes nothing is not written at all.
    changed = current.updated_at if changed_at is None else max(changed_at, current.updated_at)
    if state is not None and (state.status, state.human_active, state.limit_handoff_sent) == (
        status,
        human_active,
        limit_sent,
    ):
        if decision.action == "ignore" or changed == state.updated_at:
            return None
    return ConversationState(current.conversation_id, status, human_active, limit_sent, changed)
