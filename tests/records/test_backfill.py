"""`chatwoot-bot mirror --backfill` against the sandbox over HTTP: it fills the mirror, heals a gap the webhooks
left (changes made while nobody listened), names Chatwoot's opening after a failed delivery, and a second run
changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import anyio.to_thread
import pytest

from bot.records.commands import records_main
from chatwoot_mcp.records.mirror_sqlite import SQLiteMirror
from tests.bot.harness import eventually
from tests.conftest import Sandbox

pytestmark = pytest.mark.anyio


def backfill(environ: dict[str, str], capsys: pytest.CaptureFixture[str]) -> dict[str, int]:
    assert records_main(["mirror", "--backfill"], environ) == 0
    return dict(json.loads(capsys.readouterr().out.strip().splitlines()[-1]))


async def test_a_backfill_heals_a_gap_and_a_second_run_changes_nothing(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mirror.sqlite3"
    (tmp_path / "none.toml").write_text("")
    environ = {
        "CHATWOOT_URL": sandbox.base_url, "CHATWOOT_API_KEY": sandbox.admin_token,
        "CHATWOOT_ACCOUNT_ID": str(sandbox.account_id), "MIRROR_DATABASE_URL": f"sqlite:///{path}",
        "CHATWOOT_CREDENTIALS_FILE": str(tmp_path / "none.toml"),
    }  # fmt: skip
    first = await anyio.to_thread.run_sync(backfill, environ, capsys)
    assert first["conversations"] == 6 and first["records"] == 0  # first sight: states, no changes known
    # While no webhook reached the records: conversation 1 (the bot's) taken by agent 2, 3 resolved in the screen,
    # and the bot unreachable when a customer writes in 2, so Chatwoot opens it.
    agent = sandbox.agent("agent")["id"]
    sandbox.api("POST", "conversations/1/assignments", json={"assignee_id": agent}).raise_for_status()
    sandbox.api("POST", "conversations/1/toggle_status", json={"status": "open"}).raise_for_status()
    sandbox.api("POST", "conversations/3/toggle_status", json={"status": "resolved"}).raise_for_status()
    sandbox.api(
        "PATCH", f"agent_bots/{sandbox.agent_bot_id}", json={"outgoing_url": "http://127.0.0.1:9/"}
    ).raise_for_status()
    sandbox.api(
        "POST", "conversations/2/messages", json={"content": "Alô?", "message_type": "incoming"}
    ).raise_for_status()

    async def opened() -> bool | None:
        state = sandbox.control("GET", "state")
        return next(c["status"] for c in state["conversations"] if c["id"] == 2) == "open" or None

    await eventually(opened, timeout=15)
    second = await anyio.to_thread.run_sync(backfill, environ, capsys)
    assert second["records"] == 3
    mirror = SQLiteMirror(path)
    try:
        found = {(r.conversation_id, r.from_hands, r.to_hands, r.trigger) for r in await mirror.records()}
        assert found == {(1, "ai", "human", "chatwoot_assigned"), (3, "human", "closed", "resolved"),
                         (2, "ai", "pending", "webhook_failed")}  # fmt: skip
        counts = await mirror.message_counts(0, 2**40)
        assert counts.get("customer", 0) >= 1
    finally:
        await mirror.close()
    third = await anyio.to_thread.run_sync(backfill, environ, capsys)
    assert third["records"] == 0 and third["conversations"] == 6
