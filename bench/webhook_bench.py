"""Bot intake: signed webhooks acknowledged per second with durable persistence vs a bare 200 endpoint;
acknowledgement latency under load; the bot's own time from customer message to posted reply."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2

from bench.common import REPO, median_ms, percentile_ms, row
from bench.loadgen import LoadResult, blast

TOTAL = int(os.environ.get("BENCH_WEBHOOKS", "2000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "32"))
ANSWERS = int(os.environ.get("BENCH_ANSWERS", "20"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "12"))
CONVERSATIONS = 500  # per round: every conversation gets TOTAL / CONVERSATIONS messages
SECRET = "bench-secret"
TEMPLATE_PATH = REPO.parent / "shared" / "chatwoot" / "webhooks" / "message_created.json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, deadline: float = 20.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            httpx2.get(url, timeout=1)
            return
        except httpx2.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def process(
    args: list[str], env: dict[str, str], ready_url: str, cwd: Path = REPO, log: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """A server process until the block ends; its output goes to `log` when given (it is dropped otherwise)."""
    output = open(log, "ab") if log is not None else subprocess.DEVNULL  # noqa: SIM115 - closed below
    try:
        proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=output, stderr=output)
    finally:
        if log is not None:
            output.close()
    try:
        wait_http(ready_url)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def template() -> dict[str, Any]:
    if TEMPLATE_PATH.exists():
        return json.loads(TEMPLATE_PATH.read_text())
    raise SystemExit(f"the benchmark needs {TEMPLATE_PATH}")


def signed_factory(base: dict[str, Any], round_: int = 0):  # noqa: ANN201 - returns the loadgen's RequestFactory
    """Round `round_`'s deliveries: new message ids and new conversations each round, as fresh traffic would be."""

    def make(i: int) -> tuple[bytes, dict[str, str]]:
        payload = copy.deepcopy(base)
        payload["id"] = 1_000_000 + round_ * TOTAL + i
        payload["conversation"]["id"] = 100_000 + round_ * CONVERSATIONS + i % CONVERSATIONS
        body = json.dumps(payload).encode()
        ts = str(int(time.time()))
        digest = hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "X-Chatwoot-Delivery": str(uuid.uuid4()),
            "X-Chatwoot-Timestamp": ts,
            "X-Chatwoot-Signature": f"sha256={digest}",
        }
        return body, headers

    return make


def bot_env(box: dict[str, Any], port: int, db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHATWOOT_", "OPENAI_", "BOT_"))}
    env.update(
        CHATWOOT_URL=box["base_url"],
        CHATWOOT_API_KEY=box["admin_token"],
        CHATWOOT_ACCOUNT_ID=str(box["account_id"]),
        CHATWOOT_WEBHOOK_SECRET=SECRET,
        BOT_PORT=str(port),
        BOT_DATABASE_URL=f"sqlite:///{db}",
        **extra,
    )
    return env


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process, all its threads (Linux's /proc); None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(url: str, base: dict[str, Any], round_: int, pid: int) -> tuple[LoadResult, float | None]:
    """One round against one server, with the server's CPU seconds per request it answered."""
    before = cpu_seconds(pid)
    result = asyncio.run(blast(url, signed_factory(base, round_), total=TOTAL, concurrency=CONCURRENCY))
    after = cpu_seconds(pid)
    cpu = None if before is None or after is None else (after - before) / len(result.latencies)
    return result, cpu


def intake_rows(box: dict[str, Any], tmp: Path) -> list[str]:
    base = template()
    bare_port, port = free_port(), free_port()
    bare_url, bot_url = f"http://127.0.0.1:{bare_port}/webhooks/chatwoot", f"http://127.0.0.1:{port}/webhooks/chatwoot"
    # A long debounce keeps the worker out of the measurement: only intake (verify, dedupe, persist, ack) runs.
    env = bot_env(box, port, tmp / "intake.sqlite3", BOT_DEBOUNCE_SECONDS="3600")
    bare: list[LoadResult] = []
    bot: list[LoadResult] = []
    bare_cpu: list[float] = []
    bot_cpu: list[float] = []
    with (
        process([sys.executable, "-m", "bench.bare_webhook", str(bare_port)], dict(os.environ), bare_url) as bare_proc,
        process([sys.executable, "-m", "bot"], env, f"http://127.0.0.1:{port}/health") as bot_proc,
    ):
        # Short rounds, paired, in alternating order (bare then bot, bot then bare): the machine's noise is large
        # and drifts over seconds on a shared 2-core machine, and this way it hits both sides of a pair alike.
        for round_ in range(ROUNDS):
            sides = [(bare_url, bare_proc.pid, bare, bare_cpu), (bot_url, bot_proc.pid, bot, bot_cpu)]
            for url, pid, results, cpus in sides if round_ % 2 == 0 else reversed(sides):
                result, cpu = load(url, base, round_, pid)
                results.append(result)
                if cpu is not None:
                    cpus.append(cpu)
    bare_rate = statistics.median(result.per_second for result in bare)
    bot_rate = statistics.median(result.per_second for result in bot)
    # The median of the pairs' ratios is the figure least moved by the machine's noise (the same bare endpoint
    # ranges from 3,000 to 5,500 req/s here from one second to the next).
    ratios = [b.per_second / a.per_second for a, b in zip(bare, bot, strict=True)]
    ratio = statistics.median(ratios)
    statuses: dict[int, int] = {}
    for result in bot:
        for status, count in result.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    bot_latencies = [latency for result in bot for latency in result.latencies]
    bare_latencies = [latency for result in bare for latency in result.latencies]
    spread = f"rounds {min(ratios):.2f}-{max(ratios):.2f}; "
    p99 = percentile_ms(bot_latencies, 99)
    cpu_rows = []
    if bare_cpu and bot_cpu:
        bare_us, bot_us = statistics.median(bare_cpu) * 1e6, statistics.median(bot_cpu) * 1e6
        cpu_rows = [
            row("bare CPU per request (all threads)", bare_us, "us"),
            row("bot CPU per webhook (all threads)", bot_us, "us", f"bare/bot {bare_us / bot_us:.2f}"),
        ]
    return [
        f"Bot intake ({ROUNDS} rounds x {TOTAL} signed message_created webhooks, {CONCURRENCY} concurrent senders,"
        " SQLite; medians; the ratio is the median of each round's bot/bare pair, run in alternating order)",
        row("bare Starlette endpoint", bare_rate, "req/s"),
        row("bot: verify + dedupe + persist + ack", bot_rate, "req/s", f"statuses {statuses}"),
        row("bot / bare throughput", ratio, "x", spread + "target >= 0.30" + (" OK" if ratio >= 0.3 else " MISSED")),
        row("bot ack latency p50", percentile_ms(bot_latencies, 50), "ms"),
        row(
            "bot ack latency p99",
            p99,
            "ms",
            "target <= 100 (Chatwoot waits 5000)" + (" OK" if p99 <= 100 else " MISSED"),
        ),
        row("bare ack latency p50", percentile_ms(bare_latencies, 50), "ms"),
        row("bare ack latency p99", percentile_ms(bare_latencies, 99), "ms"),
        *cpu_rows,
    ]


def answer_times(box: dict[str, Any], bot_url: str) -> list[float]:
    """Customer message posted through the public API → the bot's reply visible in the sandbox."""
    api = f"{box['base_url']}/api/v1/accounts/{box['account_id']}"
    admin = {"api_access_token": box["admin_token"]}
    httpx2.patch(
        f"{api}/agent_bots/{box['agent_bot_id']}", headers=admin, json={"outgoing_url": bot_url}, timeout=10
    ).raise_for_status()
    inbox = box["inboxes"][0]["inbox_identifier"]
    public = f"{box['base_url']}/public/api/v1/inboxes/{inbox}"
    samples = []
    with httpx2.Client(timeout=10) as http:
        for i in range(ANSWERS):
            contact = http.post(f"{public}/contacts", json={"name": f"Bench {i}"}).json()
            conv = http.post(f"{public}/contacts/{contact['source_id']}/conversations", json={}).json()
            messages_url = f"{public}/contacts/{contact['source_id']}/conversations/{conv['id']}/messages"
            start = time.perf_counter()
            http.post(messages_url, json={"content": "Oi, tudo bem?"}).raise_for_status()
            while True:
                messages = http.get(messages_url).json()
                items = messages.get("payload", messages) if isinstance(messages, dict) else messages
                if any(m.get("message_type") in (1, "outgoing") for m in items):
                    break
                if time.perf_counter() - start > 20:
                    raise RuntimeError("the bot did not answer within 20 s")
                time.sleep(0.002)
            samples.append(time.perf_counter() - start)
    httpx2.post(f"{box['base_url']}/_sandbox/reset", timeout=10).raise_for_status()
    return samples


def answer_rows(box: dict[str, Any], tmp: Path) -> list[str]:
    port = free_port()
    env = bot_env(box, port, tmp / "answers.sqlite3", BOT_DEBOUNCE_SECONDS="0")
    with process([sys.executable, "-m", "bot"], env, f"http://127.0.0.1:{port}/health"):
        samples = answer_times(box, f"http://127.0.0.1:{port}/webhooks/chatwoot")
    return [
        f"Bot answer time ({ANSWERS} conversations, rule responder, debounce 0, includes the sandbox's delivery)",
        row("customer message → bot reply posted, median", median_ms(samples), "ms"),
        row("customer message → bot reply posted, p99", percentile_ms(samples, 99), "ms"),
    ]


def main(box: dict[str, Any]) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        return intake_rows(box, Path(tmp)) + [""] + answer_rows(box, Path(tmp))
