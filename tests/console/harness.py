"""The console as a real process against the sandbox, and the system's Chromium driven by Playwright."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.conftest import IN_CI, REPO, Sandbox, stop_process

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_or_skip() -> None:
    if os.path.exists(CHROMIUM):
        return
    message = f"no Chromium at {CHROMIUM} (apt-get install -y chromium); the console's browser tests need it"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Console:
    url: str
    process: subprocess.Popen[str]
    log: Path

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def console_environment(sandbox: Sandbox, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHATWOOT_", "CONSOLE_", "BOT_", "OPENAI_"))}
    env.update(
        {
            "CHATWOOT_URL": sandbox.base_url,
            "CHATWOOT_API_KEY": sandbox.admin_token,
            "CHATWOOT_ACCOUNT_ID": str(sandbox.account_id),
            "CHATWOOT_CREDENTIALS_FILE": os.devnull,
            "CONSOLE_SESSION_SECRET": "test-session-secret",
            "CONSOLE_REREAD_SECONDS": "300",  # live updates must come from the webhooks, not from polling
        }
    )
    env.update(extra)
    return env


@contextmanager
def running_console(sandbox: Sandbox, port: int = 0, **extra: str) -> Iterator[Console]:
    """`chatwoot-console --port 0` (or `port`) as a subprocess; yields once it printed its ready line."""
    log = Path(tempfile.NamedTemporaryFile(prefix="console-", suffix=".log", delete=False).name)  # noqa: SIM115
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "chatwoot_mcp.console", "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=err,
            stdin=subprocess.DEVNULL,
            text=True,
            cwd=REPO,
            env=console_environment(sandbox, **extra),
        )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=10)
        raise RuntimeError(f"the console did not start:\n{log.read_text()[-3000:]}")
    try:
        yield Console(json.loads(line)["url"], proc, log)
    finally:
        stop_process(proc)
        log.unlink(missing_ok=True)


@asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    chromium_or_skip()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def sign_in(browser: Any, console: Console, token: str, *, width: int = 1100) -> Any:
    """A new browser context signed in with `token`; returns its page, on the list."""
    context = await browser.new_context(viewport={"width": width, "height": 900}, locale="pt-BR")
    page = await context.new_page()
    await page.goto(f"{console.url}/login")
    await page.fill("input[name=access_token]", token)
    await page.press("input[name=access_token]", "Enter")
    await page.wait_for_url(f"{console.url}/")
    await page.wait_for_selector("#live.on")  # the live stream is connected
    return page


async def state_of(http: httpx2.AsyncClient, sandbox: Sandbox, display_id: int) -> dict[str, Any]:
    response = await http.get(f"{sandbox.base_url}/_sandbox/state")
    response.raise_for_status()
    return next(c for c in response.json()["conversations"] if c["id"] == display_id)
