"""The rules of the handoff ledger, pure: given what is stored and one report, what to store.

Chatwoot's webhooks say *what* changed hands (they also see changes made in Chatwoot's own screen); the bot and
the tools, which know *why*, add their trigger and reason to the same record. Whichever reports first creates
the record; the others find it and change nothing but the missing why. A webhook older than the stored state
(by Chatwoot's `updated_at`) changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from chatwoot_mcp.records.model import (
    GENERIC_TRIGGERS,
    Hands,
    Observation,
    Record,
    State,
    side,
)

# Chatwoot makes a take-over in two saves (open, then assign), a return to the bot too (unassign, then pending):
# a change this soon after an unexplained one into the queue is the same change.
SETTLE_SECONDS = 10.0
# How far apart (seconds) a report of why and the record it explains may be.
EXPLAIN_WINDOW_SECONDS = 120.0

Kind = Literal["stale", "first", "same", "explain", "extend", "new"]


@dataclass(frozen=True)
class Decision:
    kind: Kind
    state: State | None  # the conversation's state to store (None: unchanged)
    record: Record | None = None  # the record to insert (new) or update (explain, extend; it has an id)


def webhook_trigger(current: Hands | None, hands: Hands, obs: Observation) -> str:
    """Why, as far as Chatwoot's own data tells, when no reporter said."""
    if obs.trigger is not None:
        return obs.trigger
    if hands == "closed":
        return "resolved"
    if current == "closed":
        return "reopened"
    if hands == "ai":
        return "chatwoot_pending"
    if hands == "human":
        return "chatwoot_assigned"
    return "chatwoot_unassigned" if current == "human" else "chatwoot_opened"


def _who(obs: Observation, hands: Hands) -> tuple[str | None, int | None]:
    if obs.who_type is not None:
        return obs.who_type, obs.who_id
    if hands == "human" and obs.assigned_to is not None:
        return "agent", obs.assigned_to
    return "chatwoot", None


def _state(obs: Observation, hands: Hands, before: State | None, handoff_at: float | None) -> State:
    updated = obs.chatwoot_updated_at
    if before is not None and (updated is None or (before.chatwoot_updated_at or 0) > updated):
        updated = before.chatwoot_updated_at
    return State(
        hands=hands,
        chatwoot_updated_at=updated,
        handoff_at=handoff_at,
        status=obs.status if obs.status is not None else (before.status if before else None),
        assigned_to=obs.assigned_to if obs.status is not None else (before.assigned_to if before else None),
        reason=obs.reason if obs.reason is not None else (before.reason if before else None),
    )


def decide(state: State | None, latest: Record | None, obs: Observation) -> Decision:
    """What one report changes, given the conversation's stored state and its latest record."""
    if (
        obs.chatwoot_updated_at is not None
        and state is not None
        and state.chatwoot_updated_at is not None
        and obs.chatwoot_updated_at <= state.chatwoot_updated_at
    ):
        return Decision("stale", None)
    if (
        obs.chatwoot_updated_at is not None
        and latest is not None
        and latest.source in ("bot", "tool")
        and side(obs.hands) == side(latest.from_hands)
        and obs.chatwoot_updated_at < latest.at
    ):
        # A delivery from before a change the bot or a tool reported (their reports carry no Chatwoot time) that
        # shows the side it left: it would undo that change. One from its new side may add detail (who got it).
        return Decision("stale", None)
    hands = obs.hands
    current = state.hands if state is not None else obs.from_hands
    reporter = obs.source in ("bot", "tool")
    if current == "human" and hands == "pending" and not obs.unassigned and obs.trigger is None:
        hands = "human"  # a person who replied keeps it until someone unassigns them
    if reporter and current == "human" and hands == "pending":
        hands = current  # the bot handed it to the queue and someone already took it: the change is recorded
    if current is None or (state is None and current == hands):
        # First sight of a conversation with no reported origin: nothing changed hands that we know of.
        return Decision("first", _state(obs, hands, None, obs.at if side(hands) == "people" else None))
    if hands == current:
        if (
            obs.knows_why
            and latest is not None
            and side(latest.to_hands) == side(hands)
            and latest.trigger in GENERIC_TRIGGERS
            and abs(obs.at - latest.at) <= EXPLAIN_WINDOW_SECONDS
        ):
            who_type, who_id = _who(obs, hands)
            explained = replace(latest, trigger=obs.trigger or latest.trigger, reason=obs.reason or latest.reason,
                                who_type=who_type, who_id=who_id)  # fmt: skip
            reason_state = _state(obs, hands, state, state.handoff_at if state else None)
            return Decision("explain", reason_state, explained)
        if state is not None and obs.chatwoot_updated_at is None and obs.reason is None:
            return Decision("same", None)
        return Decision("same", _state(obs, hands, state, state.handoff_at if state else None))
    handoff_at = state.handoff_at if state is not None else None
    extending = (
        latest is not None
        and current == "pending"
        and latest.to_hands == "pending"
        and hands != latest.from_hands
        and 0 <= obs.at - latest.at <= SETTLE_SECONDS
        and latest.trigger in GENERIC_TRIGGERS  # a step someone decided (the bot's handoff) stands on its own
    )
    start = latest.from_hands if extending and latest is not None else current
    held = None
    if side(hands) == "people" and side(start) != "people":
        handoff_at = handoff_at if extending else obs.at
    elif side(start) == "people" and side(hands) != "people":
        held = max(0.0, obs.at - handoff_at) if handoff_at is not None else None
        handoff_at = None if hands == "ai" else handoff_at
    if extending and latest is not None:
        # The queue was only a step of one change (opened then assigned; unassigned then given back to the bot).
        who_type, who_id = (
            (latest.who_type, latest.who_id) if latest.who_type not in (None, "chatwoot") else _who(obs, hands)
        )
        trigger = latest.trigger if latest.trigger not in GENERIC_TRIGGERS else webhook_trigger(start, hands, obs)
        extended = replace(latest, to_hands=hands, trigger=trigger, who_type=who_type, who_id=who_id,  # type: ignore[arg-type]
                           held_seconds=held, reason=latest.reason or obs.reason)  # fmt: skip
        return Decision("extend", _state(obs, hands, state, handoff_at), extended)
    who_type, who_id = _who(obs, hands)
    record = Record(
        conversation_id=obs.conversation_id,
        from_hands=current,
        to_hands=hands,
        at=obs.at,
        trigger=webhook_trigger(current, hands, obs),
        source=obs.source,
        reason=obs.reason,
        who_type=who_type,  # type: ignore[arg-type]
        who_id=who_id,
        held_seconds=held,
    )
    return Decision("new", _state(obs, hands, state, handoff_at), record)
