"""The console with an account of 1,000 conversations: its list page against the list tool call alone, and the
live-update latency from a Chatwoot event to the change on 20 open pages of 20 signed-in people (Chromium); with
the processes' CPU time per unit of work beside the wall times, which a loaded machine stretches."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx2
import psutil

from bench.common import REPO, Stopwatch, median_ms, percentile_ms, row, sandbox
from chatwoot_mcp.config import Settings
from chatwoot_mcp.server.session import open_tool_session
from tests.console.harness import CHROMIUM, CHROMIUM_ARGS  # the browser the console's tests use, started alike

CONVERSATIONS = int(os.environ.get("BENCH_CONSOLE_CONVERSATIONS", "1000"))
ROUNDS = int(os.environ.get("BENCH_CONSOLE_ROUNDS", "100"))
PAGES = int(os.environ.get("BENCH_CONSOLE_PAGES", "20"))
EVENTS = int(os.environ.get("BENCH_CONSOLE_EVENTS", "30"))


async def seed(box: dict[str, Any], count: int) -> None:
    """`count` customers write in through the public API of the API inboxes, 20 at a time."""
    inboxes = [i["inbox_identifier"] for i in box["inboxes"]]
    limiter = anyio.Semaphore(20)

    async def one(http: httpx2.AsyncClient, n: int) -> None:
        async with limiter:
            root = f"{box['base_url']}/public/api/v1/inboxes/{inboxes[n % len(inboxes)]}"
            contact = (await http.post(f"{root}/contacts", json={"name": f"Cliente {n}"})).json()
            source = contact["source_id"]
            conversation = (await http.post(f"{root}/contacts/{source}/conversations", json={})).json()
            url = f"{root}/contacts/{source}/conversations/{conversation['id']}/messages"
            (await http.post(url, json={"content": f"Olá, sou o cliente {n}"})).raise_for_status()

    async with httpx2.AsyncClient(timeout=30) as http, anyio.create_task_group() as tg:
        for n in range(count):
            tg.start_soon(one, http, n)


@contextmanager
def console(box: dict[str, Any]) -> Iterator[tuple[str, psutil.Process]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHATWOOT_", "CONSOLE_"))}
    env |= {
        "CHATWOOT_URL": box["base_url"],
        "CHATWOOT_API_KEY": box["admin_token"],
        "CHATWOOT_ACCOUNT_ID": str(box["account_id"]),
        "CHATWOOT_CREDENTIALS_FILE": os.devnull,
        "CONSOLE_REREAD_SECONDS": "600",
        "CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE": str(PAGES + 10),  # every page signs in
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatwoot_mcp.console", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
        env=env,
    )
    assert proc.stdout is not None
    try:
        yield json.loads(proc.stdout.readline())["url"], psutil.Process(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


async def sign_in(http: httpx2.AsyncClient, url: str, token: str) -> None:
    form = await http.get(f"{url}/login")
    csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
    answer = await http.post(f"{url}/login", data={"csrf": csrf, "access_token": token})
    if answer.status_code != 303:
        raise RuntimeError(f"sign-in failed with {answer.status_code}")


class PageClient:
    """A minimal HTTP/1.1 client on one kept-alive connection, as a browser fetches a page: the page's time is then
    the console's and the network's, not a Python client's parsing (httpx2 adds about 1.5 ms to a 15 KB page here,
    printed beside it)."""

    def __init__(self, url: str, cookies: dict[str, str]) -> None:
        self.parts = urlsplit(url)
        self.cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, path: str) -> tuple[dict[str, str], bytes]:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.parts.hostname, self.parts.port)
        reader, writer = self.streams
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.parts.netloc}\r\nCookie: {self.cookie}\r\n\r\n".encode())
        status, *lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        if " 200 " not in status:
            raise RuntimeError(f"GET {path}: {status}")
        headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines if line)}
        return headers, await reader.readexactly(int(headers["content-length"]))

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


async def time_list(box: dict[str, Any], url: str, served_by: psutil.Process) -> dict[str, list[float]]:
    """The page and the tool call, interleaved round by round so machine noise hits both alike; with the CPU time
    of the console's process per page and of this process per tool call (both hold an in-memory MCP server)."""
    settings = Settings(chatwoot_url=box["base_url"], api_token=box["admin_token"], account_id=box["account_id"])
    page, through_httpx2, tool = Stopwatch(), Stopwatch(), Stopwatch()
    inside: dict[str, list[float]] = {"tool": [], "render": []}
    cpu: dict[str, list[float]] = {"page": [], "tool": []}
    async with httpx2.AsyncClient(timeout=30) as http, open_tool_session(settings) as tools:
        await sign_in(http, url, box["admin_token"])
        pages = PageClient(url, dict(http.cookies.items()))
        for round_ in range(ROUNDS + 5):
            with page.lap():
                headers, body = await pages.get("/?owner=all")
            with through_httpx2.lap():
                response = await http.get(f"{url}/?owner=all")
                response.raise_for_status()
            for part in headers["server-timing"].split(","):
                name, duration = part.strip().split(";dur=")
                inside[name].append(float(duration) / 1000)
            before = time.process_time()
            with tool.lap():
                await tools.call("chatwoot_list_conversations", status="all", assignee_type="all", page=1)
            cpu["tool"].append(time.process_time() - before)
            if round_ == 4:  # warm-up done
                for samples in (page.samples, through_httpx2.samples, tool.samples, *inside.values(), cpu["tool"]):
                    samples.clear()
                # The console idles between its pages; its CPU time is counted in clock ticks: one total.
                console_before = cpu_seconds(served_by)
        cpu["page"] = [(cpu_seconds(served_by) - console_before) / ROUNDS / 2]  # each round served two pages
        pages.close()
        assert body.count(b'class="row"') == 25 and response.text.count('class="row"') == 25
    return {
        "page": page.samples,
        "httpx2": through_httpx2.samples,
        "alone": tool.samples,
        "inside_tool": inside["tool"],
        "render": inside["render"],
        "cpu_page": cpu["page"],
        "cpu_tool": cpu["tool"],
    }


WATCH = """([id, text]) => new Promise(resolve => {
  const seen = () => { const row = document.querySelector(`li.row[data-id="${id}"] .last`);
                       return row && row.textContent.includes(text); };
  if (seen()) { resolve(Date.now()); return; }
  const observer = new MutationObserver(() => { if (seen()) { observer.disconnect(); resolve(Date.now()); } });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
})"""


async def signed_in_page(browser: Any, url: str, token: str) -> Any:
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{url}/login")
    await page.fill("input[name=access_token]", token)
    await page.press("input[name=access_token]", "Enter")
    await page.wait_for_url(f"{url}/")
    return page


async def time_live(box: dict[str, Any], url: str, served_by: psutil.Process) -> tuple[list[float], float]:
    """Seconds from the API call that posts a message to its text showing on each of the open pages, and the
    console's CPU seconds per message."""
    from playwright.async_api import async_playwright

    latencies: list[float] = []
    target = 1  # a conversation on the first page of the list once it has the newest activity
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # A context and a sign-in per page, as 20 people's browsers (each page its own session and tool session):
        # a browser holds at most 6 connections per host over HTTP/1.1, and each page keeps one open for its
        # event stream.
        pages = [await signed_in_page(browser, url, box["admin_token"]) for _ in range(PAGES)]
        for page in pages:
            await page.wait_for_selector("#live.on")
        async with httpx2.AsyncClient(timeout=30, headers={"api_access_token": box["admin_token"]}) as http:
            api = f"{box['base_url']}/api/v1/accounts/{box['account_id']}/conversations/{target}/messages"
            for n in range(EVENTS + 2):
                if n == 2:
                    cpu_before = cpu_seconds(served_by)
                text = f"bench-{n}-{time.time_ns()}"
                waits = [page.evaluate(WATCH, [target, text]) for page in pages]
                started = time.time()
                (await http.post(api, json={"content": text, "private": True})).raise_for_status()
                shown: list[float] = []

                async def collect(wait: Any, shown: list[float] = shown) -> None:
                    shown.append(await wait / 1000)

                with anyio.move_on_after(30) as late:
                    async with anyio.create_task_group() as tg:
                        for wait in waits:
                            tg.start_soon(collect, wait)
                if late.cancelled_caught:
                    rows = [
                        await page.evaluate("document.querySelector('li.row[data-id=\"1\"] .last')?.textContent")
                        for page in pages
                    ]
                    raise RuntimeError(f"only {len(shown)} of {PAGES} pages showed {text} within 30 s: {rows}")
                if n >= 2:  # the first two bring the conversation to the top of every list
                    latencies += [at - started for at in shown]
            cpu_per_event = (cpu_seconds(served_by) - cpu_before) / EVENTS
        await browser.close()
    return latencies, cpu_per_event


def main(_: dict[str, Any]) -> list[str]:
    logging.getLogger("httpx2").setLevel(logging.WARNING)  # the MCP server's basicConfig(INFO) logs each request
    # An account of its own: the other benchmarks keep measuring the seeded sandbox.
    with sandbox() as box:
        began = time.perf_counter()
        anyio.run(seed, box, CONVERSATIONS)
        seeded = time.perf_counter() - began
        with console(box) as (url, served_by):
            timed = anyio.run(time_list, box, url, served_by)
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            lines = [
                f"Console ({CONVERSATIONS} conversations seeded in {seeded:.0f} s; {ROUNDS} list reads, medians; "
                f"load average {load} on {os.cpu_count()} CPUs)",
                row("list page GET / (25 rows, owner all)", median_ms(timed["page"]), "ms"),
                row("  the same page through httpx2 (its parsing included)", median_ms(timed["httpx2"]), "ms"),
                row("  of which the console's tool call (Server-Timing)", median_ms(timed["inside_tool"]), "ms"),
                row("  of which rendering the page (Server-Timing)", median_ms(timed["render"]), "ms"),
                row("chatwoot_list_conversations alone (in memory)", median_ms(timed["alone"]), "ms"),
            ]
            ratio = median_ms(timed["page"]) / median_ms(timed["alone"])
            lines.append(
                row("list page / tool call", ratio, "x", "target <= 1.30" + (" OK" if ratio <= 1.3 else " MISSED"))
            )
            lines += [
                row("console CPU per list page", median_ms(timed["cpu_page"]), "ms"),
                row("this process's CPU per tool call (client and server)", median_ms(timed["cpu_tool"]), "ms"),
                row(
                    "list page / tool call, in CPU time",
                    median_ms(timed["cpu_page"]) / median_ms(timed["cpu_tool"]),
                    "x",
                ),
            ]
            if not os.path.exists(CHROMIUM):
                lines.append(f"  live-update latency: skipped (no Chromium at {CHROMIUM})")
                return lines
            live, cpu_per_event = anyio.run(time_live, box, url, served_by)
            p99 = percentile_ms(live, 99)
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            lines += [
                row(f"live update to {PAGES} open pages, p50 ({len(live)} samples)", percentile_ms(live, 50), "ms"),
                row(
                    f"live update to {PAGES} open pages, p99",
                    p99,
                    "ms",
                    "target < 1000" + (" OK" if p99 < 1000 else " MISSED"),
                ),
                row(f"console CPU per message shown on {PAGES} pages", cpu_per_event * 1000, "ms"),
                f"  (load average after the live run: {load})",
            ]
    return lines
