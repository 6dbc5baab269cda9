"""What a webhook says, flattened from Chatwoot's payload shapes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from chatwoot_mcp.server.tools.common import BOT_SOURCE_PREFIX

MESSAGE_EVENTS = frozenset({"message_created", "message_updated"})
CONVERSATION_EVENTS = frozenset(
    {
        "conversation_created",
        "conversation_updated",
        "conversation_status_changed",
        "conversation_opened",
        "conversation_resolved",
    }
)
KNOWN_EVENTS = (
    MESSAGE_EVENTS
    | CONVERSATION_EVENTS
    | frozenset(
        {
            "webwidget_triggered",
            "conversation_typing_on",
            "conversation_typing_off",
            "contact_created",
            "contact_updated",
            "inbox_created",
            "inbox_updated",
        }
    )
)
STATUSES = frozenset({"open", "resolved", "pending", "snoozed"})
# REST and conversation.messages[] use integers; top-level webhook messages use strings.
MESSAGE_TYPES = {0: "incoming", 1: "outgoing", 2: "activity", 3: "template"}


def load_json(body: bytes) -> Any:
    """A webhook body as JSON: orjson, and the standard library for what orjson refuses (NaN, lone surrogates,
    numbers past a double); raises ValueError (bad JSON or UTF-8) or RecursionError (nested too deep)."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


class PayloadError(ValueError):
    """The body is JSON but not a Chatwoot webhook we can read."""


@dataclass(frozen=True)
class WebhookEvent:
    """The fields of a webhook the gate and the runner need; ids only, content kept apart."""

    event: str
    conversation_id: int | None
    status: str | None
    assignee_type: str | None  # "User" | "AgentBot" | None
    assignee_id: int | None
    message_id: int | None = None
    message_type: str | None = None  # incoming | outgoing | template | activity
    private: bool = False
    sender_type: str | None = None  # contact | user | agent_bot | None (no sender: phone echo, system)
    sender_id: int | None = None
    content_type: str | None = None
    content: str | None = None
    customer_name: str | None = None
    source_id: str | None = None  # the bot's own replies carry OWN_SOURCE_PREFIX (their idempotency key)
    # The conversation's `updated_at` (Unix seconds): Chatwoot does not order deliveries, so an older one is stale.
    updated_at: float | None = None


# Every message the bot posts (and the return-to-bot notice) has a source_id starting with this; it is how the
# bot recognises its own messages when they were posted with a user token, where the sender is a "user".
OWN_SOURCE_PREFIX = BOT_SOURCE_PREFIX


def is_own_source(source_id: object) -> bool:
    return isinstance(source_id, str) and source_id.startswith(OWN_SOURCE_PREFIX)


MAX_ID = 2**63 - 1  # what both stores' integer columns hold


def _int(value: Any) -> int | None:
    """An id: a positive integer (or a string of ASCII digits) that fits a BIGINT; anything else is None."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value <= MAX_ID else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _status(value: Any) -> str | None:
    return value if isinstance(value, str) and value in STATUSES else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _message_type(value: Any) -> str | None:
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, int) and not isinstance(value, bool):
        return MESSAGE_TYPES.get(value)
    return None


def _sender_type(sender: Any) -> str | None:
    if not isinstance(sender, dict) or not sender:
        return None
    kind = sender.get("type")
    if isinstance(kind, str):
        return kind.lower()
    # Contact#webhook_data has no "type" key; users and bots always carry one.
    return "contact"


def _assignee(conversation: dict[str, Any]) -> tuple[str | None, int | None]:
    meta = _dict(conversation.get("meta"))
    assignee = _dict(meta.get("assignee"))
    kind = _str(meta.get("assignee_type"))
    if kind is None and assignee:
        kind = "AgentBot" if assignee.get("type") == "agent_bot" else "User"
    return (kind, _int(assignee.get("id"))) if assignee or kind else (None, None)


def parse_event(payload: Any) -> WebhookEvent:
    """Flatten a decoded webhook body; raises PayloadError when it is not a webhook object."""
    if not isinstance(payload, dict):
        raise PayloadError("the body is not a JSON object")
    name = payload.get("event")
    if not isinstance(name, str) or not name:
        raise PayloadError("the body has no event name")
    if name in MESSAGE_EVENTS:
        conversation = _dict(payload.get("conversation"))
        kind, assignee_id = _assignee(conversation)
        customer = _dict(_dict(conversation.get("meta")).get("sender"))
        return WebhookEvent(
            event=name,
            conversation_id=_int(conversation.get("id")),
            status=_status(conversation.get("status")),
            assignee_type=kind,
            assignee_id=assignee_id,
            message_id=_int(payload.get("id")),
            message_type=_message_type(payload.get("message_type")),
            private=payload.get("private") is True,
            sender_type=_sender_type(payload.get("sender")),
            sender_id=_int(_dict(payload.get("sender")).get("id")),
            content_type=_str(payload.get("content_type")),
            content=_str(payload.get("content")),
            customer_name=_str(customer.get("name")),
            source_id=_str(payload.get("source_id")),
            updated_at=timestamp(conversation.get("updated_at")),
        )
    if name in CONVERSATION_EVENTS:
        kind, assignee_id = _assignee(payload)
        return WebhookEvent(
            event=name,
            conversation_id=_int(payload.get("id")),
            status=_status(payload.get("status")),
            assignee_type=kind,
            assignee_id=assignee_id,
            updated_at=timestamp(payload.get("updated_at")),
        )
    conversation = _dict(payload.get("conversation") or payload.get("current_conversation"))
    return WebhookEvent(
        event=name, conversation_id=_int(conversation.get("id")), status=None, assignee_type=None, assignee_id=None
    )


def timestamp(value: Any) -> float | None:
    """A payload's time (Unix seconds or ISO 8601) as Unix seconds; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return None
    return None
