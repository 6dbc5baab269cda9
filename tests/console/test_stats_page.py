"""The figures page in a real browser: scripted handoff records give known bars and numbers, read through
chatwoot_handoff_stats as the administrator; agents are refused on the server."""

from __future__ import annotations

import time
from pathlib import Path

import httpx2
import pytest

from chatwoot_mcp.console import texts
from chatwoot_mcp.console.stats_page import day_label
from chatwoot_mcp.records.mirror_sqlite import SQLiteMirror
from chatwoot_mcp.records.stats import DAY, day_name, day_start
from tests.conftest import Sandbox
from tests.console.harness import chromium, running_console, sign_in
from tests.records.test_stats import script_days

pytestmark = pytest.mark.anyio


async def scripted_mirror(tmp_path: Path) -> str:
    path = tmp_path / "mirror.sqlite3"
    mirror = SQLiteMirror(path)
    try:
        await script_days(mirror, time.time())
    finally:
        await mirror.close()
    return f"sqlite:///{path}"


async def values(page: object, series: str) -> list[str]:
    return await page.locator(f"[data-series='{series}']").evaluate_all("ms => ms.map(m => m.dataset.value)")  # type: ignore[attr-defined]


async def test_an_administrator_sees_the_scripted_days_as_bars_lines_and_a_table(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    url = await scripted_mirror(tmp_path)
    now = time.time()
    labels = [day_label(day_name(day_start(now) - DAY * back)) for back in range(6, -1, -1)]
    with running_console(sandbox, MIRROR_DATABASE_URL=url) as console:
        async with chromium() as browser:
            page = await sign_in(browser, console, sandbox.admin_token)
            await page.click("#stats-link")
            await page.wait_for_url(f"{console.url}/stats")
            assert await page.inner_text("h1") == texts.STATS_TITLE
            # Two days ago: two handoffs, one given back; yesterday: a take-over given back; today: 3 of 4 sent.
            assert await values(page, "to_people") == ["0", "0", "0", "0", "2", "1", "0"]
            assert await values(page, "back_to_bot") == ["0", "0", "0", "0", "1", "1", "0"]
            assert await values(page, "avg") == ["20 min", "5 min"]
            assert await values(page, "replies") == ["0", "0", "0", "0", "0", "0", "3"]
            assert await values(page, "sends") == ["75%"]
            # Webhook acknowledgements: 1..100 ms two days ago, instant ones yesterday, none today.
            assert await values(page, "p50") == ["46 ms", "0 ms"] and await values(page, "p99") == ["99 ms", "0 ms"]
            assert await page.locator("#chart-webhook polyline").count() == 2
            days = await page.locator("#chart-handoffs rect[data-series='to_people']").evaluate_all(
                "ms => ms.map(m => m.dataset.day)"
            )
            assert days == labels
            # Bars are drawn to scale: two handoffs stand twice as tall as one.
            heights = await page.locator("#chart-handoffs rect[data-series='to_people']").evaluate_all(
                "ms => ms.map(m => parseFloat(m.getAttribute('height')))"
            )
            assert heights[4] == pytest.approx(2 * heights[5]) and heights[5] > 0
            # Chatwoot's own count stands beside ours: the administrator may read its reports.
            assert len(await values(page, "chatwoot")) == 7
            assert texts.STATS_CHATWOOT in await page.inner_text("#figures thead")
            # Every chart is named for screen readers, and the table carries the same figures.
            assert await page.locator("svg[role=img] > title").count() == 5
            rows = await page.locator("#figures tbody tr").evaluate_all(
                "rs => rs.map(r => Array.from(r.cells).map(c => c.textContent))"
            )
            assert rows[4][:9] == [labels[4], "2", "1", "20 min", "20 min", "0", "—", "46 ms", "99 ms"]
            assert rows[6][:7] == [labels[6], "0", "0", "—", "—", "3", "75%"]
            assert await page.inner_text("#total-to-people") == "3"
            assert "o cliente pediu uma pessoa" in await page.inner_text("#why")
            # A shorter or longer period is a plain GET; an unknown one falls back to a week.
            await page.goto(f"{console.url}/stats?days=30")
            assert len(await values(page, "to_people")) == 30
            await page.goto(f"{console.url}/stats?days=abc")
            assert len(await values(page, "to_people")) == 7


async def test_an_agent_gets_no_link_and_is_refused_the_figures(sandbox: Sandbox, tmp_path: Path) -> None:
    url = await scripted_mirror(tmp_path)
    with running_console(sandbox, MIRROR_DATABASE_URL=url) as console:
        async with chromium() as browser:
            page = await sign_in(browser, console, sandbox.agent_token)
            assert await page.locator("#stats-link").count() == 0
            response = await page.goto(f"{console.url}/stats")
            assert response is not None and response.status == 403
            assert await page.inner_text("#error") == texts.STATS_FORBIDDEN
            assert "46 ms" not in await page.content()


async def test_without_handoff_records_the_page_says_what_is_missing(sandbox: Sandbox) -> None:
    with running_console(sandbox) as console, httpx2.Client(timeout=10) as http:
        async with chromium() as browser:
            page = await sign_in(browser, console, sandbox.admin_token)
            response = await page.goto(f"{console.url}/stats")
            assert response is not None and response.status == 503
            assert "MIRROR_DATABASE_URL" in await page.inner_text("#error")
        assert http.get(f"{console.url}/health").status_code == 200
