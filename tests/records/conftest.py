"""Fixtures of the handoff-records tests: a mirror on each backend, Chatwoot-shaped webhook payloads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from bot.metrics import BotMetrics
from bot.records.recorder import Recorder
from chatwoot_mcp.records.mirror import Mirror
from chatwoot_mcp.records.mirror_postgres import PostgresMirror
from chatwoot_mcp.records.mirror_sqlite import SQLiteMirror
from tests.bot.conftest import pg_schema


@pytest.fixture(params=["sqlite", "postgresql"])
async def mirror(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Mirror]:
    if request.param == "sqlite":
        backend: Mirror = SQLiteMirror(tmp_path / "mirror.sqlite3")
        await backend.open()
        try:
            yield backend
        finally:
            await backend.close()
        return
    async with pg_schema() as url:
        backend = PostgresMirror(url)
        await backend.open()
        try:
            yield backend
        finally:
            await backend.close()


class Clock:
    def __init__(self, now: float = 1_780_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def conversation(
    cid: int,
    status: str,
    *,
    updated_at: float,
    assignee: int | None = None,
    bot_assignee: int | None = None,
    event: str | None = None,
    changed: Any = None,
    contact: int = 42,
) -> dict[str, Any]:
    """The conversation object of Chatwoot's webhooks (EventDataPresenter#webhook_data), the keys the records read."""
    person = None
    kind = None
    if assignee is not None:
        person, kind = {"id": assignee, "name": f"Agente {assignee}", "type": "user"}, "User"
    elif bot_assignee is not None:
        person, kind = {"id": bot_assignee, "name": "BIA", "type": "agent_bot"}, "AgentBot"
    payload: dict[str, Any] = {
        "id": cid,
        "inbox_id": 1,
        "status": status,
        "meta": {"sender": {"id": contact, "name": "Maria", "email": None, "phone_number": "+5511999990000",
                            "type": "contact"}, "assignee": person, "assignee_type": kind, "team": None},
        "updated_at": updated_at,
        "messages": [],
    }  # fmt: skip
    if event is not None:
        payload["event"] = event
        if event in ("conversation_updated", "conversation_status_changed"):
            payload["changed_attributes"] = changed
    return payload


def message(
    cid: int,
    message_id: int,
    *,
    status: str,
    updated_at: float,
    kind: str = "incoming",
    sender: dict[str, Any] | None = None,
    content: str = "Oi",
    source_id: str | None = None,
    private: bool = False,
    assignee: int | None = None,
) -> dict[str, Any]:
    return {
        "event": "message_created",
        "id": message_id,
        "content": content,
        "message_type": kind,
        "private": private,
        "source_id": source_id,
        "created_at": "2026-06-17T12:00:02.118Z",
        "sender": sender if sender is not None else {"id": 42, "name": "Maria"},
        "conversation": conversation(cid, status, updated_at=updated_at, assignee=assignee),
    }


def body(payload: dict[str, Any]) -> bytes:
    return orjson.dumps(payload)


def recorder_for(mirror: Mirror, clock: Clock) -> Recorder:
    return Recorder(mirror, BotMetrics(), clock=clock)


async def drain(recorder: Recorder) -> None:
    while recorder.waiting:
        await recorder.flush_once()
