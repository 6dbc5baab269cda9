"""The hands a conversation can be in, what may cause a change, and one report of a change (an Observation)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Hands = Literal["ai", "human", "pending", "closed"]  # pending: waiting for a person (open, nobody assigned)
HANDS: tuple[Hands, ...] = ("ai", "human", "pending", "closed")
WhoType = Literal["bot", "agent", "chatwoot"]
Source = Literal["webhook", "bot", "tool", "backfill"]

# Why a conversation changed hands. The first group comes from whoever decided (the bot, a tool call); the
# second from what Chatwoot's webhooks show when nobody told us why.
BOT_TRIGGERS = ("handoff_tool", "marker", "customer_asked", "failsafe", "loop_guard", "person_replied")
TOOL_TRIGGERS = ("take_over", "return_to_bot", "hand_off")
CHATWOOT_TRIGGERS = (
    "webhook_failed",  # Chatwoot opened it after a failed delivery to the bot
    "resolved",
    "reopened",
    "chatwoot_opened",  # opened in Chatwoot's screen (or by an automation), nobody told us why
    "chatwoot_assigned",
    "chatwoot_unassigned",
    "chatwoot_pending",  # set back to pending in Chatwoot's screen
)
TRIGGERS = BOT_TRIGGERS + TOOL_TRIGGERS + CHATWOOT_TRIGGERS
# Triggers a later report that knows why may replace (see ledger.decide).
GENERIC_TRIGGERS = frozenset(
    {"chatwoot_opened", "chatwoot_assigned", "chatwoot_unassigned", "chatwoot_pending", "reopened"}
)


def hands_of(status: str | None, assignee_type: str | None, assignee_id: int | None) -> Hands | None:
    """Chatwoot's status and assignee as hands; the same rule as the tools' derived owner (an AgentBot assignee
    is not a person; a person assigned to a pending conversation holds it)."""
    person = assignee_id is not None and (assignee_type or "User").lower() in ("user", "")
    if status == "resolved":
        return "closed"
    if status == "pending":
        return "human" if person else "ai"
    if status in ("open", "snoozed"):
        return "human" if person else "pending"
    return None


def side(hands: Hands | None) -> str | None:
    """ai, people or closed: a change between sides is a handoff; pending ↔ human is people among themselves."""
    if hands in ("pending", "human"):
        return "people"
    return hands


def direction(from_hands: Hands | None, to_hands: Hands) -> str:
    """The metric label of a change: ai_to_human, human_to_ai, closed, reopened or within_people."""
    if to_hands == "closed":
        return "closed"
    if from_hands == "closed":
        return "reopened"
    if side(from_hands) == side(to_hands):
        return "within_people"
    return "ai_to_human" if to_hands != "ai" else "human_to_ai"


@dataclass(frozen=True)
class Observation:
    """One source's report that a conversation is now in `hands`.

    `chatwoot_updated_at` is Chatwoot's own `updated_at` of the conversation when the source read it (webhooks,
    backfill); reports from the bot and the tools leave it None and carry their own clock in `at`."""

    conversation_id: int
    hands: Hands
    at: float
    source: Source
    chatwoot_updated_at: float | None = None
    trigger: str | None = None
    reason: str | None = None
    who_type: WhoType | None = None
    who_id: int | None = None
    from_hands: Hands | None = None  # what the reporter knows it came from (the bot: ai)
    unassigned: bool = False  # the change took the conversation away from a person
    status: str | None = None
    assigned_to: int | None = None

    @property
    def knows_why(self) -> bool:
        return self.trigger is not None and self.trigger not in GENERIC_TRIGGERS


@dataclass(frozen=True)
class State:
    """The ledger's view of one conversation (a row of the mirror's `conversations`)."""

    hands: Hands
    chatwoot_updated_at: float | None
    handoff_at: float | None = None  # when it last went to people
    status: str | None = None
    assigned_to: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Record:
    """One change of hands (a row of `handoff_events`)."""

    conversation_id: int
    from_hands: Hands | None
    to_hands: Hands
    at: float
    trigger: str
    source: Source
    reason: str | None = None
    who_type: WhoType | None = None
    who_id: int | None = None
    id: int | None = None
    held_seconds: float | None = None  # for a change away from people: how long people held it
