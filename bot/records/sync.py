"""What a Chatwoot webhook says for the records: observations of who holds the conversation, messages and the
customer, from the raw payload (AgentBot, account or API-inbox webhooks carry the same shapes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.events import timestamp
from chatwoot_mcp.records.mirror import CustomerRow, MessageRow
from chatwoot_mcp.records.model import Observation, hands_of
from chatwoot_mcp.server.tools.common import BOT_SOURCE_PREFIX

CONVERSATION_EVENTS = frozenset(
    {"conversation_created", "conversation_updated", "conversation_status_changed", "conversation_opened",
     "conversation_resolved"}
)  # fmt: skip
MESSAGE_EVENTS = frozenset({"message_created", "message_updated"})
MAX_CONTENT = 20_000


@dataclass
class Extracted:
    observations: list[Observation] = field(default_factory=list)
    messages: list[MessageRow] = field(default_factory=list)
    customers: list[CustomerRow] = field(default_factory=list)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 < value < 2**63:  # a database integer holds 64 bits
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def assignee(conversation: dict[str, Any]) -> tuple[str | None, int | None]:
    meta = _dict(conversation.get("meta"))
    person = _dict(meta.get("assignee"))
    kind = _str(meta.get("assignee_type"))
    if kind is None and person:
        kind = "AgentBot" if person.get("type") == "agent_bot" else "User"
    return kind, _int(person.get("id"))


def _unassigned(changed: Any) -> bool:
    """conversation_updated's changed_attributes shows a person taken off the conversation."""
    for item in changed if isinstance(changed, list) else []:
        change = _dict(_dict(item).get("assignee_id"))
        if change and change.get("previous_value") is not None and change.get("current_value") is None:
            return True
    return False


def conversation_observation(
    conversation: dict[str, Any], *, source: str, now: float, changed: Any = None
) -> Observation | None:
    cid = _int(conversation.get("id"))
    status = _str(conversation.get("status"))
    kind, person = assignee(conversation)
    hands = hands_of(status, kind, person)
    if cid is None or hands is None:
        return None
    updated = timestamp(conversation.get("updated_at"))
    return Observation(
        conversation_id=cid,
        hands=hands,
        at=updated if updated is not None else now,
        source=source,  # type: ignore[arg-type]
        chatwoot_updated_at=updated,
        unassigned=_unassigned(changed),
        status=status,
        assigned_to=person if (kind or "User") == "User" else None,
    )


def customer_row(conversation: dict[str, Any]) -> CustomerRow | None:
    sender = _dict(_dict(conversation.get("meta")).get("sender"))
    contact_id = _int(sender.get("id"))
    if contact_id is None:
        return None
    return CustomerRow(
        contact_id, _str(sender.get("name")), _str(sender.get("email")), _str(sender.get("phone_number"))
    )


def sender_type(message_type: Any, sender: dict[str, Any], source_id: Any) -> str | None:
    """customer, ai (the bot: its AgentBot, or its source id when it posted with a user token) or human."""
    if message_type in ("incoming", 0):
        return "customer"
    if message_type not in ("outgoing", 1):
        return None
    if isinstance(source_id, str) and source_id.startswith(BOT_SOURCE_PREFIX):
        return "ai"
    kind = str(sender.get("type") or "").lower()
    if kind == "agent_bot":
        return "ai"
    return "human" if kind == "user" else None


def extract(payload: Any, *, now: float) -> Extracted:
    """Everything the records take from one webhook body (decoded); nothing for events they do not use."""
    out = Extracted()
    if not isinstance(payload, dict):
        return out
    event = payload.get("event")
    if event in CONVERSATION_EVENTS:
        obs = conversation_observation(payload, source="webhook", now=now, changed=payload.get("changed_attributes"))
        if obs is not None:
            out.observations.append(obs)
        if (customer := customer_row(payload)) is not None:
            out.customers.append(customer)
        return out
    if event not in MESSAGE_EVENTS:
        return out
    conversation = _dict(payload.get("conversation"))
    obs = conversation_observation(conversation, source="webhook", now=now)
    if obs is not None:
        out.observations.append(obs)
    if (customer := customer_row(conversation)) is not None:
        out.customers.append(customer)
    message_id = _int(payload.get("id"))
    sender = _dict(payload.get("sender"))
    kind = sender_type(payload.get("message_type"), sender, payload.get("source_id"))
    if obs is None or message_id is None or kind is None or payload.get("private") is True:
        return out
    created = timestamp(payload.get("created_at")) or now
    content = _str(payload.get("content"))
    out.messages.append(
        MessageRow(message_id, obs.conversation_id, kind, content[:MAX_CONTENT] if content else content, created)
    )  # type: ignore[arg-type]
    if event == "message_created" and kind == "human" and obs.hands == "ai":
        # A person answering in the bot's conversation takes it over (the bot goes quiet there).
        out.observations.append(
            Observation(conversation_id=obs.conversation_id, hands="human", at=created, source="bot",
                        trigger="person_replied", who_type="agent", who_id=_int(sender.get("id")), from_hands="ai")
        )  # fmt: skip
    return out
