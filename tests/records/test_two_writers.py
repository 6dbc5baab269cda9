"""Two processes writing the same conversation's records at once (the bot's writer with Chatwoot's webhooks, an
MCP server's handoff tool with its reason), many trials, on SQLite and PostgreSQL: always one record."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chatwoot_mcp.records.mirror import build_mirror
from chatwoot_mcp.records.model import Observation
from tests.bot.conftest import pg_schema

pytestmark = pytest.mark.anyio

REPO = Path(__file__).resolve().parents[2]
TRIALS = 8
# Waits for the agreed instant, then applies its observations one by one, each in its own transaction.
CHILD = """
import asyncio, json, sys, time
from chatwoot_mcp.records.mirror import build_mirror
from chatwoot_mcp.records.model import Observation
async def main(url, start, items):
    mirror = build_mirror(url)
    await mirror.open()
    while time.time() < start:
        await asyncio.sleep(0.001)
    for item in items:
        await mirror.apply(Observation(**item))
    await mirror.close()
asyncio.run(main(sys.argv[1], float(sys.argv[2]), json.loads(sys.argv[3])))
"""


@pytest.fixture(params=["sqlite", "postgresql"])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/mirror.sqlite3"
        return
    async with pg_schema() as pg_url:
        yield pg_url


async def test_a_take_over_reported_by_two_processes_at_once_is_always_one_record(url: str) -> None:
    mirror = build_mirror(url)
    await mirror.open()
    base = 1_780_000_000.0
    try:
        for cid in range(1, TRIALS + 1):
            await mirror.apply(Observation(cid, "ai", base, "webhook", chatwoot_updated_at=base, status="pending"))
    finally:
        await mirror.close()
    children = []
    start = time.time() + 1.5  # both processes are up and connected by then
    for cid in range(1, TRIALS + 1):
        webhooks: list[dict[str, Any]] = [
            {"conversation_id": cid, "hands": "pending", "at": base + 0.1, "source": "webhook",
             "chatwoot_updated_at": base + 0.1, "status": "open"},
            {"conversation_id": cid, "hands": "human", "at": base + 0.2, "source": "webhook",
             "chatwoot_updated_at": base + 0.2, "status": "open", "assigned_to": 2},
        ]  # fmt: skip
        tool = [{"conversation_id": cid, "hands": "human", "at": base + 0.3, "source": "tool", "trigger": "take_over",
                 "reason": "VIP", "who_type": "agent", "who_id": 2, "status": "open", "assigned_to": 2}]  # fmt: skip
        for items in (webhooks, tool):
            children.append(
                subprocess.Popen([sys.executable, "-c", CHILD, url, str(start), json.dumps(items)], cwd=REPO)
            )
    for child in children:
        assert child.wait(timeout=60) == 0
    mirror = build_mirror(url)
    try:
        for cid in range(1, TRIALS + 1):
            records = await mirror.records(cid)
            assert [(r.from_hands, r.to_hands, r.trigger, r.reason) for r in records] == [
                ("ai", "human", "take_over", "VIP")
            ], cid
            state = await mirror.state(cid)
            assert state is not None and state.hands == "human" and state.chatwoot_updated_at == base + 0.2
    finally:
        await mirror.close()
