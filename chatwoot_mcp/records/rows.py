"""Turning database rows into the ledger's State and Record, shared by both mirror backends."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from chatwoot_mcp.records.model import Record, State


def ts(value: Any) -> float | None:
    """A stored time as Unix seconds (SQLite keeps REAL, PostgreSQL TIMESTAMPTZ)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value)


MAX_TIME = 253_402_300_799.0  # the last second of year 9999, the latest a datetime holds


def dt(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(min(value, MAX_TIME), UTC)


def state_from(row: Mapping[str, Any] | None) -> State | None:
    if row is None or row["hands"] is None:
        return None
    return State(
        hands=row["hands"],
        chatwoot_updated_at=row["chatwoot_updated_at"],
        handoff_at=ts(row["handoff_at"]),
        status=row["status"],
        assigned_to=row["assigned_to"],
        reason=row["handoff_reason"],
    )


def record_from(row: Mapping[str, Any] | None) -> Record | None:
    if row is None:
        return None
    return Record(
        id=row["id"],
        conversation_id=row["chatwoot_conversation_id"],
        from_hands=row["from_state"],
        to_hands=row["to_state"],
        at=ts(row["at"]) or 0.0,
        trigger=row["trigger"],
        source=row["source"],
        reason=row["reason"],
        who_type=row["who_type"],
        who_id=row["who_id"],
        held_seconds=row["held_seconds"],
    )


def handoff_status(hands: str, before: str | None) -> str:
    """The design's `handoff_status` (ai, human, pending): a closed conversation keeps whoever had it last."""
    if hands == "closed":
        return before or "ai"
    return hands
