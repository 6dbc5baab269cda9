"""`python -m tests.console.screenshots`: the README's screenshots of the console, taken with the system's
Chromium against a fresh sandbox (docs/screenshots/*.png)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import anyio

from chatwoot_mcp.records.mirror_sqlite import SQLiteMirror
from tests.conftest import REPO, start_sandbox, stop_process
from tests.console.harness import chromium, running_console, sign_in
from tests.records.test_stats import script_days

OUT = REPO / "docs" / "screenshots"


async def take() -> None:
    box = start_sandbox()
    try:
        # A conversation where the bot answered and a person took over, for the transcript.
        box.api(
            "POST",
            "conversations/2/messages",
            json={"content": "O frete para SP é grátis acima de R$ 200.", "private": False},
        )
        with running_console(box, CONSOLE_AGENTS_SEE_QUEUE="true") as console:
            async with chromium() as browser:
                page = await browser.new_page(viewport={"width": 900, "height": 560})
                await page.goto(f"{console.url}/login")
                await page.screenshot(path=str(OUT / "console-login.png"))
                page = await sign_in(browser, console, box.admin_token, width=1100)
                await page.wait_for_selector("[data-count='all']")
                await page.screenshot(path=str(OUT / "console-list.png"), full_page=True)
                await page.goto(f"{console.url}/c/2")
                await page.fill("#content", "Cliente pergunta do frete; eu assumo se precisar.")
                await page.click("#reply button[type=submit]")
                await page.wait_for_selector(".msg[data-kind='note']")
                await page.click("#take-over")
                with anyio.fail_after(30):
                    while "Você" not in await page.inner_text("#owner-badge"):
                        await anyio.sleep(0.1)
                await page.screenshot(path=str(OUT / "console-conversation.png"), full_page=True)
                phone = await sign_in(browser, console, box.agent_token, width=390)
                await phone.click(".tabs a[data-owner='bot']")
                await phone.wait_for_selector("li.row")
                await phone.screenshot(path=str(OUT / "console-phone.png"), full_page=True)
    finally:
        stop_process(box.process)


async def take_stats() -> None:
    """The figures page over the records the stats tests script (three days)."""
    box = start_sandbox()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mirror.sqlite3"
        mirror = SQLiteMirror(path)
        try:
            await script_days(mirror, time.time())
        finally:
            await mirror.close()
        try:
            with running_console(box, MIRROR_DATABASE_URL=f"sqlite:///{path}") as console:
                async with chromium() as browser:
                    page = await sign_in(browser, console, box.admin_token, width=1100)
                    await page.goto(f"{console.url}/stats")
                    await page.screenshot(path=str(OUT / "console-stats.png"), full_page=True)
        finally:
            stop_process(box.process)


async def take_all() -> None:
    await take()
    await take_stats()


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    anyio.run(take_all)
