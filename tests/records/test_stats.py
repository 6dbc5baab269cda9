"""`chatwoot-bot stats` after a scripted set of days gives the known counts; Chatwoot's own column is left out,
with a note, when its reports cannot be read."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
import httpx2
import pytest

from bot.records.commands import records_main
from chatwoot_mcp.records import texts
from chatwoot_mcp.records.mirror import Mirror
from chatwoot_mcp.records.mirror_sqlite import SQLiteMirror
from chatwoot_mcp.records.model import Observation
from chatwoot_mcp.records.stats import DAY, daily_figures, day_name, day_start
from tests.conftest import Sandbox
from tests.records.conftest import Clock, body, conversation, drain, recorder_for

pytestmark = pytest.mark.anyio


@dataclass
class Job:
    created_at: float


async def script_days(mirror: Mirror, now: float) -> None:
    """Two days ago: two handoffs (one given back after 30 min, one resolved after 10 min) and 100 webhooks of
    1..100 ms besides its 8 instant ones; yesterday: a take-over given back after 5 min; today: 3 replies sent, 1 failed."""
    clock = Clock()
    rec = recorder_for(mirror, clock)
    a, b, today = day_start(now) - 2 * DAY, day_start(now) - DAY, min(now - 1, day_start(now) + 60)

    def webhook(cid: int, status: str, at: float, assignee: int | None = None) -> None:
        clock.now = at
        rec.delivered(
            body(conversation(cid, status, updated_at=at, assignee=assignee, event="conversation_updated")), 200, 0.0
        )

    webhook(1, "pending", a + 900)
    clock.now = a + 1000
    rec.handed_off(1, "O cliente pediu para falar com uma pessoa.", responder=True)
    webhook(1, "open", a + 1000.5)
    webhook(1, "open", a + 1300, assignee=4)
    webhook(1, "pending", a + 2800)  # given back (pending while still assigned is the person's)
    webhook(1, "pending", a + 2800.5)
    webhook(2, "pending", a + 4000)
    clock.now = a + 5000
    rec.handed_off(2, "failsafe")
    webhook(2, "open", a + 5000.5)
    webhook(2, "resolved", a + 5600)
    webhook(3, "pending", b + 50)
    rec.report(Observation(3, "human", b + 100, "tool", trigger="take_over", who_type="agent", who_id=4,
                           status="open", assigned_to=4))  # fmt: skip
    webhook(3, "open", b + 100.5, assignee=4)
    rec.report(Observation(3, "ai", b + 400, "tool", trigger="return_to_bot", who_type="agent", who_id=4))
    for ms in range(1, 101):
        clock.now = a + 6000 + ms
        rec.delivered(b"{}", 200, ms / 1000)
    clock.now = today
    for _ in range(3):
        rec.replied([Job(today - 4)])
    rec.send_failed()
    await drain(rec)


async def test_daily_figures_after_scripted_days(mirror: Mirror) -> None:
    now = time.time()
    await script_days(mirror, now)
    figures = await daily_figures(mirror, days=3, now=now)
    assert [d.day for d in figures] == [day_name(day_start(now) - DAY * k) for k in (2, 1, 0)]
    two_days_ago, yesterday, today = figures
    assert (two_days_ago.ai_to_human, two_days_ago.human_to_ai) == (2, 1)
    assert two_days_ago.triggers == {"customer_asked": 1, "failsafe": 1}
    assert two_days_ago.with_person_avg == pytest.approx(1200.0)  # 1800 s and 600 s
    assert two_days_ago.with_person_median == pytest.approx(1200.0)
    # 108 acknowledgements (8 of 0 ms, then 1..100 ms): the 54th and the 107th by nearest rank.
    assert two_days_ago.webhook_p50 == pytest.approx(0.046)
    assert two_days_ago.webhook_p99 == pytest.approx(0.099)
    assert (yesterday.ai_to_human, yesterday.human_to_ai, yesterday.with_person_avg) == (1, 1, pytest.approx(300.0))
    assert yesterday.triggers == {"take_over": 1}
    assert (today.ai_to_human, today.assistant_replies, today.send_success_rate) == (0, 3, 0.75)
    assert today.webhook_p50 is None and today.with_person_avg is None


async def test_the_stats_command_prints_the_days_and_says_why_chatwoots_column_is_missing(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mirror.sqlite3"
    mirror = SQLiteMirror(path)
    await mirror.open()
    try:
        await script_days(mirror, time.time())
    finally:
        await mirror.close()
    environ = {
        "CHATWOOT_URL": sandbox.base_url,
        "CHATWOOT_API_KEY": sandbox.agent_token,  # an agent may not read Chatwoot's reports
        "CHATWOOT_ACCOUNT_ID": str(sandbox.account_id),
        "MIRROR_DATABASE_URL": f"sqlite:///{path}",
        "CHATWOOT_CREDENTIALS_FILE": str(tmp_path / "none.toml"),
    }
    (tmp_path / "none.toml").write_text("")
    # The command runs its own event loop (asyncio.run), as from a shell: give it a thread.
    assert await anyio.to_thread.run_sync(records_main, ["stats", "--days", "3", "--json"], environ) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["chatwoot_reports"] in (texts.REPORTS_FORBIDDEN, texts.REPORTS_MISSING)
    assert [(d["ai_to_human"], d["human_to_ai"], d["assistant_replies"]) for d in out["days"]] == [
        (2, 1, 0),
        (1, 1, 0),
        (0, 0, 3),
    ]
    assert all(d["chatwoot_bot_handoffs"] is None for d in out["days"])
    assert await anyio.to_thread.run_sync(records_main, ["stats", "--days", "3"], environ) == 0
    table = capsys.readouterr().out
    assert "IA→humano" in table and "Coluna do Chatwoot omitida" in table
    assert texts.TRIGGER_NAMES["customer_asked"] in table
    assert "Chatwoot: bot_handoffs_count" not in table


async def test_with_an_administrators_token_chatwoots_own_count_is_read_when_chatwoot_has_reports(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "none.toml").write_text("")
    environ = {
        "CHATWOOT_URL": sandbox.base_url, "CHATWOOT_API_KEY": sandbox.admin_token,
        "CHATWOOT_ACCOUNT_ID": str(sandbox.account_id), "MIRROR_DATABASE_URL": f"sqlite:///{tmp_path}/m.sqlite3",
        "CHATWOOT_CREDENTIALS_FILE": str(tmp_path / "none.toml"),
    }  # fmt: skip
    assert await anyio.to_thread.run_sync(records_main, ["stats", "--days", "2", "--json"], environ) == 0
    out = json.loads(capsys.readouterr().out)
    answer = httpx2.get(
        f"{sandbox.base_url}/api/v2/accounts/{sandbox.account_id}/reports",
        params={"metric": "bot_handoffs_count", "type": "account", "since": "0", "until": "86400", "group_by": "day"},
        headers={"api_access_token": sandbox.admin_token},
        timeout=10,
    )
    if answer.status_code == 404:  # a sandbox without reports v2 answers as an older Chatwoot would
        assert out["chatwoot_reports"] == texts.REPORTS_MISSING
        assert all(d["chatwoot_bot_handoffs"] is None for d in out["days"])
    else:
        assert out["chatwoot_reports"] == "ok"
        assert all(isinstance(d["chatwoot_bot_handoffs"], int) for d in out["days"])


def test_a_bad_number_of_days_is_refused_with_a_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        records_main(["stats", "--days", "0"], {})
    assert exited.value.code == 2
    assert "not a number of days from 1 to 366" in capsys.readouterr().err
