"""chatwoot_handoff_stats over the MCP client: the figures an assistant asks for, read from the mirror
database in the server's MIRROR_DATABASE_URL; a clear error when none is configured; customer text as data."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from mcp import Client
from pydantic import SecretStr

from chatwoot_mcp.records.mirror_sqlite import SQLiteMirror
from chatwoot_mcp.records.model import Observation
from chatwoot_mcp.server import build_server
from tests.conftest import Sandbox
from tests.records.test_stats import script_days
from tests.server.conftest import call, fail, sandbox_settings

pytestmark = pytest.mark.anyio


async def test_the_stats_tool_answers_how_many_went_to_people_why_and_how_long_they_waited(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "mirror.sqlite3"
    mirror = SQLiteMirror(path)
    now = time.time()
    try:
        await script_days(mirror, now)
        # A model's reason may quote the customer: it comes back cleaned, as data.
        await mirror.apply(Observation(9, "ai", now - 30, "webhook", chatwoot_updated_at=now - 30, status="pending"))
        await mirror.apply(Observation(9, "pending", now - 20, "bot", trigger="handoff_tool", who_type="bot",
                                       reason="Cliente pediu reembolso\u200b\x07 agora"))  # fmt: skip
    finally:
        await mirror.close()
    settings = sandbox_settings(sandbox, mirror_database_url=SecretStr(f"sqlite:///{path}"), mcp_read_only=True)
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_handoff_stats", days=3)
    assert [d["to_people"] for d in result["days"]] == [2, 1, 1]
    assert (result["to_people"], result["back_to_bot"]) == (4, 2)
    assert {(w["trigger"], w["count"]) for w in result["why"]} == {
        ("customer_asked", 1),
        ("failsafe", 1),
        ("take_over", 1),
        ("handoff_tool", 1),
    }
    assert "Cliente pediu reembolso agora" in result["reasons"]
    # Waits for a person: 300 s (assigned from the queue), 0 (taken over at once); the failsafe one and the last
    # one were never picked up.
    assert result["minutes_waiting_for_a_person_avg"] == 2.5
    assert result["days"][0]["minutes_with_people_avg"] == 20.0
    assert (result["days"][0]["webhook_ms_p50"], result["days"][0]["webhook_ms_p99"]) == (46.0, 99.0)
    assert [(d["assistant_replies"], d["send_success_rate"]) for d in result["days"]] == [
        (0, None),
        (0, None),
        (3, 0.75),
    ]
    # The sandbox's administrator may read Chatwoot's reports: its own count stands beside ours.
    assert result["chatwoot_reports"] == "ok"
    assert all(isinstance(d["chatwoot_bot_handoffs"], int) for d in result["days"])


async def test_an_agents_token_gets_the_figures_and_says_why_chatwoots_count_is_missing(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "mirror.sqlite3"
    mirror = SQLiteMirror(path)
    try:
        await script_days(mirror, time.time())
    finally:
        await mirror.close()
    settings = sandbox_settings(
        sandbox, api_token=SecretStr(sandbox.agent_token), mirror_database_url=SecretStr(f"sqlite:///{path}")
    )
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_handoff_stats", days=3)
    assert [d["to_people"] for d in result["days"]] == [2, 1, 0]
    assert "administrators only" in result["chatwoot_reports"]
    assert all(d["chatwoot_bot_handoffs"] is None for d in result["days"])


async def test_without_a_mirror_database_the_tool_says_what_to_configure(sandbox: Sandbox) -> None:
    async with Client(build_server(sandbox_settings(sandbox))) as client:
        text = await fail(client, "chatwoot_handoff_stats")
    assert "MIRROR_DATABASE_URL" in text


async def test_a_take_over_through_the_tool_writes_its_reason_to_the_shared_mirror(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "mirror.sqlite3"
    mirror = SQLiteMirror(path)
    try:
        # The bot's records already know conversation 2 as the bot's.
        await mirror.apply(Observation(2, "ai", time.time() - 60, "webhook", chatwoot_updated_at=time.time() - 60))
    finally:
        await mirror.close()
    settings = sandbox_settings(sandbox, mirror_database_url=SecretStr(f"sqlite:///{path}"))
    async with Client(build_server(settings)) as client:
        await call(client, "chatwoot_take_over", conversation_id=2, note="pediu reembolso", notify=False)
        again = await call(client, "chatwoot_take_over", conversation_id=2, notify=False)  # changes nothing
    assert again["changed"] is False
    mirror = SQLiteMirror(path)
    try:
        records = await mirror.records(2)
    finally:
        await mirror.close()
    assert [(r.from_hands, r.to_hands, r.trigger, r.reason, r.who_type) for r in records] == [
        ("ai", "human", "take_over", "pediu reembolso", "agent")
    ]
