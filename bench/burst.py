"""A burst of customers writing at once, a model that takes 2 s per answer: how long until all are answered (as a
multiple of the model's time, the baseline), each customer's wait, and the bot's own CPU per answered message; on
SQLite (one bot), and on PostgreSQL with one and with two replicas behind a round-robin balancer."""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx2

from bench.common import REPO, row
from bench.webhook_bench import bot_env, cpu_seconds, free_port, process
from tests.fakes.openai_server import FakeOpenAI, Step, text_step

MODEL_SECONDS = 2.0
SIZES = [int(n) for n in os.environ.get("BENCH_BURST", "200,500").split(",")]
RUNS = int(os.environ.get("BENCH_BURST_RUNS", "1"))
LOGS = os.environ.get("BENCH_BURST_LOGS", "")  # a directory for the bots' logs, to see why a run missed
SENDERS = 64  # customers' requests in flight at once while the burst is sent
TARGET_RATIO = 3.0
TARGET_CPU_MS = 15.0
PG_URL = os.environ.get(
    "BENCH_DATABASE_URL", os.environ.get("BOT_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
)
# (store, replicas): SQLite serves one bot process; PostgreSQL any number, here behind a round-robin balancer.
SETUPS = {"sqlite": ("sqlite", 1), "pg1": ("postgresql", 1), "pg2": ("postgresql", 2)}
CHOSEN = [name.strip() for name in os.environ.get("BENCH_BURST_SETUPS", "sqlite,pg1,pg2").split(",") if name.strip()]


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


async def failed_deliveries(http: httpx2.AsyncClient, box: dict[str, Any], ids: set[int]) -> dict[str, int]:
    """The burst's webhook deliveries to the bot that failed, by error: Chatwoot opens a pending conversation whose
    message webhook the bot did not take within its 5 s (a handoff the bot never chose)."""
    deliveries = (await http.get(f"{box['base_url']}/_sandbox/deliveries")).json()
    errors = [d["error"] or "?" for d in deliveries if d["conversation_id"] in ids and d["done"] and d["error"]]
    return {error: errors.count(error) for error in set(errors)}


def _is_reply(message: dict[str, Any]) -> bool:
    return message["message_type"] == "outgoing" and not message["private"]


@asynccontextmanager
async def database(store: str, tmp: Path, count: int) -> AsyncIterator[str]:
    """A fresh database for one run: a new SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if store == "sqlite":
        yield f"sqlite:///{tmp / f'burst-{count}-{time.monotonic_ns()}.sqlite3'}"
        return
    schema = f"bench_burst_{uuid.uuid4().hex[:12]}"
    yield f"{PG_URL}{'&' if '?' in PG_URL else '?'}schema={schema}"
    conn = await asyncpg.connect(PG_URL, timeout=5)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


@contextmanager
def balancer(backends: list[str]) -> Iterator[tuple[str, int]]:
    """The round-robin balancer in a process of its own; yields its URL and process id."""
    command = [sys.executable, "-m", "bench.balancer_process", *backends]
    proc = subprocess.Popen(command, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        yield proc.stdout.readline().strip(), proc.pid
    finally:
        proc.stdin.close()
        proc.wait(timeout=15)


@contextmanager
def bots(env: dict[str, str], replicas: int) -> Iterator[tuple[str, list[int], int | None]]:
    """`replicas` bot processes; on PostgreSQL, a balancer in front (even of one, to compare like with like).
    Yields the URL Chatwoot delivers to, the bots' process ids and the balancer's."""
    with ExitStack() as stack:
        urls, pids = [], []
        for _ in range(replicas):
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            command = [sys.executable, "-m", "bot"]
            log = Path(LOGS) / f"bot-{port}.log" if LOGS else None
            bot = stack.enter_context(process(command, env | {"BOT_PORT": str(port)}, f"{url}/health", log=log))
            urls.append(url)
            pids.append(bot.pid)
        if env["BOT_DATABASE_URL"].startswith("postgresql"):
            url, balancer_pid = stack.enter_context(balancer(urls))
            yield url, pids, balancer_pid
        else:
            yield urls[0], pids, None


def other_cpu(box: dict[str, Any], balancer_pid: int | None) -> dict[str, float]:
    """CPU seconds so far of the sandbox, the balancer and this process (the customers' load and the fake model)."""
    times = os.times()
    balancer = (cpu_seconds(balancer_pid) or 0.0) if balancer_pid is not None else 0.0
    return {"sandbox": cpu_seconds(box["pid"]) or 0.0, "balancer": balancer, "bench": times.user + times.system}


def total_cpu(pids: list[int]) -> float | None:
    times = [cpu_seconds(pid) for pid in pids]
    return None if any(t is None for t in times) else sum(t for t in times if t is not None)


async def one_run(box: dict[str, Any], count: int, tmp: Path, fake: FakeOpenAI, setup: str) -> dict[str, Any]:
    store, replicas = SETUPS[setup]
    async with database(store, tmp, count) as database_url:
        env = bot_env(
            box,
            0,
            tmp / "unused.sqlite3",
            OPENAI_API_KEY="sk-bench",
            OPENAI_BASE_URL=fake.base_url,
            **{k.removeprefix("BENCH_"): v for k, v in os.environ.items() if k.startswith("BENCH_BOT_")},
        ) | {"BOT_DATABASE_URL": database_url}
        return await measure(box, count, fake, env, replicas)


async def measure(
    box: dict[str, Any], count: int, fake: FakeOpenAI, env: dict[str, str], replicas: int
) -> dict[str, Any]:
    api = f"{box['base_url']}/api/v1/accounts/{box['account_id']}"
    public = f"{box['base_url']}/public/api/v1/inboxes/{box['inboxes'][0]['inbox_identifier']}"
    limits = httpx2.Limits(max_connections=SENDERS, max_keepalive_connections=SENDERS)
    async with httpx2.AsyncClient(timeout=60, limits=limits) as http:
        (await http.post(f"{box['base_url']}/_sandbox/reset")).raise_for_status()
        with bots(env, replicas) as (bot_url, pids, balancer_pid):
            response = await http.patch(
                f"{api}/agent_bots/{box['agent_bot_id']}",
                headers={"api_access_token": box["admin_token"]},
                json={"outgoing_url": f"{bot_url}/webhooks/chatwoot"},
            )
            response.raise_for_status()
            # One customer per replica first, not counted: a bot's first answer loads code a running bot has loaded.
            # The fake model's log starts empty: the warm-up waits for its own model calls, not an earlier run's.
            fake.reset()
            warm = await start_customers(http, public, 2 * replicas)
            await burst(http, warm)
            warm_ids = {int(url.rsplit("/", 2)[-2]) for url in warm}
            await outcome(http, box, bot_url, fake, warm_ids, time.monotonic() + 30)
            urls = await start_customers(http, public, count)
            ids = {int(url.rsplit("/", 2)[-2]) for url in urls}
            fake.reset()
            cpu_before, others_before = total_cpu(pids), other_cpu(box, balancer_pid)
            started = time.monotonic()
            await burst(http, urls)
            sent = time.monotonic() - started
            deadline = time.monotonic() + 60 + count * 0.2
            conversations = await outcome(http, box, bot_url, fake, ids, deadline)
            failed = await failed_deliveries(http, box, ids)
            cpu_after, others_after = total_cpu(pids), other_cpu(box, balancer_pid)
    result: dict[str, Any] = dict(summarise(conversations, cpu_before, cpu_after, len(fake.requests)))
    result["sent_s"] = sent
    result["failed_deliveries"] = sum(failed.values())
    result["delivery_errors"] = ", ".join(f"{error} x{count}" for error, count in sorted(failed.items()))
    result.update({f"{name}_cpu_s": others_after[name] - others_before[name] for name in others_before})
    result["load"] = os.getloadavg()[0]
    result["bot_cores"] = result["bot_cpu_s"] / max(result["all_answered_s"], 1e-9)
    return result


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
        "bot_cpu_s": cpu * answered / 1000,
        "duplicates": duplicates,
        "lost": lost,
        "handoffs": handoffs,
        "model_calls": model_calls / len(conversations),
    }


def rows_for(count: int, runs: list[dict[str, Any]], setup: str = "sqlite") -> list[str]:
    def spread(key: str) -> str:
        values = [run[key] for run in runs]
        return f"runs {min(values):.2f}-{max(values):.2f}" if len(values) > 1 else ""

    def med(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    ratio, cpu = med("ratio"), med("cpu_ms")
    faults = {k: sum(run[k] for run in runs) for k in ("duplicates", "lost", "handoffs")}
    errors = "; ".join(str(run["delivery_errors"]) for run in runs if run["delivery_errors"])
    ok_ratio = " OK" if count > 200 or ratio <= TARGET_RATIO else " MISSED"
    return [
        f"Burst: {count} customers write at once, model answers in {MODEL_SECONDS:g} s, {DESCRIBE[setup]}, default"
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
        row("customers' messages all sent within", med("sent_s"), "s", spread("sent_s")),
        row("CPU per burst: bot(s)", med("bot_cpu_s"), "s", spread("bot_cpu_s")),
        row("CPU per burst: sandbox", med("sandbox_cpu_s"), "s", spread("sandbox_cpu_s")),
        row("CPU per burst: balancer", med("balancer_cpu_s"), "s", spread("balancer_cpu_s")),
        row("CPU per burst: customers' load + fake model", med("bench_cpu_s"), "s", spread("bench_cpu_s")),
        row("load average (1 min) after the burst", med("load"), "", spread("load")),
        row(
            "cores the bot(s) got while the burst lasted",
            med("bot_cores"),
            "",
            spread("bot_cores") + f"; an even share of {os.cpu_count()} cores at that load: "
            f"{(os.cpu_count() or 1) / max(1.0, med('load')):.2f}",
        ),
        f"  duplicates {faults['duplicates']}, unanswered {faults['lost']}, handed to humans {faults['handoffs']}"
        + (" (all must be 0)" if any(faults.values()) else " OK"),
        f"  webhook deliveries to the bot that failed (Chatwoot then opens the conversation): "
        f"{sum(run['failed_deliveries'] for run in runs):g}" + (f" ({errors})" if errors else ""),
    ]


DESCRIBE = {
    "sqlite": "one bot on SQLite",
    "pg1": "one bot on PostgreSQL (behind the balancer)",
    "pg2": "two bot replicas on PostgreSQL behind a round-robin balancer",
}


def postgres_reachable() -> bool:
    async def probe() -> None:
        conn = await asyncpg.connect(PG_URL, timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    return True


def replica_rows(count: int, results: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Two replicas against one, on the same database engine in the same run."""
    if "pg1" not in results or "pg2" not in results:
        return []
    one = statistics.median(run["all_answered_s"] for run in results["pg1"])
    two = statistics.median(run["all_answered_s"] for run in results["pg2"])
    extra = statistics.median(run["model_calls"] for run in results["pg2"]) - 1
    verdict = "OK" if two <= one * 1.05 else "MISSED"
    return [
        f"Burst of {count}: two PostgreSQL replicas against one",
        row("all answered, two replicas / one", two / one, "x", f"target <= 1 (5% noise allowed) {verdict}"),
        row("extra model calls per customer, 2 replicas", extra, "x", "target 0 " + ("OK" if not extra else "MISSED")),
    ]


def main(box: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    setups = list(CHOSEN)
    if any(SETUPS[name][0] == "postgresql" for name in setups) and not postgres_reachable():
        setups = [name for name in setups if SETUPS[name][0] != "postgresql"]
        lines += [f"Burst on PostgreSQL skipped: nothing answers at BENCH_DATABASE_URL ({PG_URL.split('@')[-1]})", ""]
    with FakeOpenAI(default=slow_answer) as fake, tempfile.TemporaryDirectory() as tmp:
        for count in SIZES:
            results: dict[str, list[dict[str, Any]]] = {}
            for setup in setups:
                results[setup] = [asyncio.run(one_run(box, count, Path(tmp), fake, setup)) for _ in range(RUNS)]
                lines += [*rows_for(count, results[setup], setup), ""]
            extra = replica_rows(count, results)
            if extra:
                lines += [*extra, ""]
    return lines[:-1]
