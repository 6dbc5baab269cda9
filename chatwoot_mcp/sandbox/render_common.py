"""Times and references as Chatwoot's JSON writes them, shared by the renderers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .state import Store


def iso(ts: float | None) -> str | None:
    """A time as Rails serialises it in JSON: UTC, milliseconds, `Z`."""
    if ts is None:
        return None
    moment = datetime.fromtimestamp(ts, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def to_i(ts: float | None) -> int:
    return int(ts) if ts is not None else 0


def account_ref(store: Store, account_id: int) -> dict[str, Any]:
    return {"id": account_id, "name": store.accounts[account_id].name}
