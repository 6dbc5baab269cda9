"""A burst of customers writing at once, a model that takes 2 s per answer: how long until all are answered (as a
multiple of the model's time, the baseline), each customer's wait, and the bot's own CPU per answered message."""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2

from bench.common import row
from bench.webhook_bench import bot_env, cpu_seconds, free_port, process
from tests.fakes.openai_server import FakeOpenAI, Step, text_step

MODEL_SECONDS = 2.0
SIZES = [int(n) for n in os.environ.get("BENCH_BURST", "200,500").split(",")]
RUNS = int(os.environ.get("BENCH_BURST_RUNS", "1"))
SENDERS = 64  # customers' requests in flight at once while the burst is sent
TARGET_RATIO = 3.0
TARGET_CPU_MS = 15.0


def slow_answer(_request: dict[str, Any]) -> Step:
    step = text_step("Obrigada pela mensagem! Já verifico o seu pedido.")
    step.delay = MODEL_SECONDS
    return step


async def start_customers(http: httpx2.AsyncClient, public: str, count: int) -> list[str]:
    """Contacts with a conversation each; returns each one's messages URL."""
    gate = asyncio.Semaphore(SENDERS)

    async def one(i: int) -> str:
        async with gate:
            contact = (await http.post(f"{public}/contacts", json={"name": f"Cliente {i}"})).json()
            base = f"{public}/contacts/{contact['source_id']}/conversations"
            conversation = (await http.post(base, json={})).json()
            return f"{base}/{conversation['id']}/messages"

    return list(await asyncio.gather(*(one(i) for i in range(count))))


async def burst(http: httpx2.AsyncClient, urls: list[str]) -> None:
    gate = asyncio.Semaphore(SENDERS)

    async def say(url: str) -> None:
        async with gate:
            (await http.post(url, json={"content": "Oi, meu pedido ainda não chegou"})).raise_for_status()

    await asyncio.gather(*(say(url) for url in urls))


async def outcome(
    http: httpx2.AsyncClient, box: dict[str, Any], bot_url: str, fake: FakeOpenAI, ids: set[int], deadline: float
) -> dict[int, dict[str, Any]]:
    """Wait until the model was asked for every customer and the bot has no pending job (or the deadline), then
    read the sandbox's state (read once: it is large, and reading it often would load the sandbox)."""
    while time.monotonic() < deadline:
        if len(fake.requests) >= len(ids) and (await http.get(f"{bot_url}/health")).json()["pending_jobs"] == 0:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)  # a late duplicate would show up now
    state = (await http.get(f"{box['base_url']}/_sandbox/state")).json()
    return {c["id"]: c for c in state["conversations"] if c["id"] in ids}


def _is_reply(message: dict[str, Any]) -> bool:
    return message["message_type"] == "outgoing" and not message["private"]


async def one_run(box: dict[str, Any], count: int, tmp: Path, fake: FakeOpenAI) -> dict[str, float]:
    port = free_port()
    env = bot_env(
        box,
        port,
        tmp / f"burst-{count}-{time.monotonic_ns()}.sqlite3",
        OPENAI_API_KEY="sk-bench",
        OPENAI_BASE_URL=fake.base_url,
        **{k.removeprefix("BENCH_"): v for k, v in os.environ.items() if k.startswith("BENCH_BOT_")},
    )
    api = f"{box['base_url']}/api/v1/accounts/{box['account_id']}"
    public = f"{box['base_url']}/public/api/v1/inboxes/{box['inboxes'][0]['inbox_identifier']}"
    limits = httpx2.Limits(max_connections=SENDERS)
    async with httpx2.AsyncClient(timeout=60, limits=limits) as http:
        (await http.post(f"{box['base_url']}/_sandbox/reset")).raise_for_status()
        with process([sys.executable, "-m", "bot"], env, f"http://127.0.0.1:{port}/health") as bot:
            response = await http.patch(
                f"{api}/agent_bots/{box['agent_bot_id']}",
                headers={"api_access_token": box["admin_token"]},
                json={"outgoing_url": f"http://127.0.0.1:{port}/webhooks/chatwoot"},
            )
            response.raise_for_status()
            bot_url = f"http://127.0.0.1:{port}"
            # One customer first, not counted: the bot's first answer loads code a running bot has loaded.
            warm = await start_customers(http, public, 1)
            await burst(http, warm)
            await outcome(http, box, bot_url, fake, {int(warm[0].rsplit("/", 2)[-2])}, time.monotonic() + 30)
            urls = await start_customers(http, public, count)
            ids = {int(url.rsplit("/", 2)[-2]) for url in urls}
            fake.reset()
            cpu_before = cpu_seconds(bot.pid)
            await burst(http, urls)
            deadline = time.monotonic() + 60 + count * 0.2
            conversations = await outcome(http, box, bot_url, fake, ids, deadline)
            cpu_after = cpu_seconds(bot.pid)
    return summarise(conversations, cpu_before, cpu_after, len(fake.requests))


def summarise(
    conversations: dict[int, dict[str, Any]], cpu_before: float | None, cpu_after: float | None, model_calls: int
) -> dict[str, float]:
    first_said = min(
        m["created_at"] for c in conversations.values() for m in c["messages"] if m["message_type"] == "incoming"
    )
    waits, last_reply, duplicates, lost, handoffs = [], first_said, 0, 0, 0
    for conversation in conversations.values():
        said = [m for m in conversation["messages"] if m["message_type"] == "incoming"]
        replies = [m for m in conversation["messages"] if _is_reply(m)]
        handoffs += conversation["status"] != "pending"
        if not replies:
            lost += 1
            continue
        duplicates += len(replies) - 1
        waits.append(replies[0]["created_at"] - said[-1]["created_at"])
        last_reply = max(last_reply, replies[0]["created_at"])
    answered = len(waits)
    cpu = (cpu_after - cpu_before) / answered * 1000 if cpu_before is not None and cpu_after and answered else 0.0
    return {
        "all_answered_s": last_reply - first_said,
        "ratio": (last_reply - first_said) / MODEL_SECONDS,
        "median_wait_s": statistics.median(waits) if waits else float("nan"),
        "last_wait_s": max(waits) if waits else float("nan"),
        "cpu_ms": cpu,
        "duplicates": duplicates,
        "lost": lost,
        "handoffs": handoffs,
        "model_calls": model_calls / len(conversations),
    }


def rows_for(count: int, runs: list[dict[str, float]]) -> list[str]:
    def spread(key: str) -> str:
        values = [run[key] for run in runs]
        return f"runs {min(values):.2f}-{max(values):.2f}" if len(values) > 1 else ""

    def med(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    ratio, cpu = med("ratio"), med("cpu_ms")
    faults = {k: sum(run[k] for run in runs) for k in ("duplicates", "lost", "handoffs")}
    ok_ratio = " OK" if count > 200 or ratio <= TARGET_RATIO else " MISSED"
    return [
        f"Burst: {count} customers write at once, model answers in {MODEL_SECONDS:g} s, one bot on SQLite, default"
        f" settings (debounce 1.5 s); {len(runs)} run(s), medians",
        row("all answered (from the first message)", med("all_answered_s"), "s", spread("all_answered_s")),
        row(
            "all answered / model time",
            ratio,
            "x",
            spread("ratio") + (f"; target <= {TARGET_RATIO:g}{ok_ratio}" if count <= 200 else ""),
        ),
        row("median wait (message to reply)", med("median_wait_s"), "s", spread("median_wait_s")),
        row("last wait", med("last_wait_s"), "s", spread("last_wait_s")),
        row(
            "bot CPU per answered message (all threads)",
            cpu,
            "ms",
            spread("cpu_ms") + f"; target <= {TARGET_CPU_MS:g}" + (" OK" if cpu <= TARGET_CPU_MS else " MISSED"),
        ),
        row("model calls per customer", med("model_calls"), "x", spread("model_calls")),
        f"  duplicates {faults['duplicates']}, unanswered {faults['lost']}, handed to humans {faults['handoffs']}"
        + (" (all must be 0)" if any(faults.values()) else " OK"),
    ]


def main(box: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    with FakeOpenAI(default=slow_answer) as fake, tempfile.TemporaryDirectory() as tmp:
        for count in SIZES:
            runs = [asyncio.run(one_run(box, count, Path(tmp), fake)) for _ in range(RUNS)]
            lines += [*rows_for(count, runs), ""]
    return lines[:-1]
