"""Several `python -m bot` replicas on one PostgreSQL database behind a round-robin balancer: every customer message
answered exactly once, a replica killed with SIGKILL taken over by the other, replies in order across replicas."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import asyncpg
import httpx2
import pytest

from bot.store.postgres import split_schema
from tests.bot.conftest import pg_schema
from tests.bot.harness import Chatwoot, Customer, eventually, free_port
from tests.conftest import REPO, Sandbox
from tests.fakes.balancer import Balancer
from tests.fakes.openai_server import FakeOpenAI, Step, handoff_or_echo

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

LEASE_SECONDS = 2.0


@pytest.fixture
async def chatwoot(sandbox: Sandbox) -> AsyncIterator[Chatwoot]:
    async with httpx2.AsyncClient(timeout=20) as http:
        yield Chatwoot(sandbox, http)


def slow_model(seconds: float):  # noqa: ANN201 - the fake's default answer
    def answer(request: dict[str, Any]) -> Step:
        step = handoff_or_echo(request)
        step.delay = seconds
        return step

    return answer


class Replica:
    def __init__(self, proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.proc, self.port, self.log = proc, port, log

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def lines(self, event: str) -> list[dict[str, Any]]:
        found = []
        for line in self.log.read_text().splitlines():
            if line.startswith("{"):
                record = json.loads(line)
                if record.get("event") == event:
                    found.append(record)
        return found


@contextmanager
def replicas(
    count: int, sandbox: Sandbox, secret: str, database_url: str, fake: FakeOpenAI, workdir: Path
) -> Iterator[list[Replica]]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CHATWOOT_", "BOT_", "OPENAI_"))}
    env |= {
        "CHATWOOT_URL": sandbox.base_url,
        "CHATWOOT_API_TOKEN": sandbox.admin_token,
        "CHATWOOT_ACCOUNT_ID": str(sandbox.account_id),
        "CHATWOOT_BOT_TOKEN": sandbox.bot_token,
        "CHATWOOT_WEBHOOK_SECRET": secret,
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": fake.base_url,
        "BOT_DATABASE_URL": database_url,
        "BOT_DEBOUNCE_SECONDS": "0.3",
        "BOT_SETTLE_SECONDS": "1",
        "BOT_LEASE_SECONDS": str(LEASE_SECONDS),
        "PYTHONPATH": str(REPO),
    }
    with ExitStack() as stack:
        started = []
        for index in range(count):
            port, log = free_port(), workdir / f"replica-{index}.log"
            out = stack.enter_context(log.open("wb"))
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot"],
                env=env | {"BOT_PORT": str(port)},
                cwd=workdir,
                stdout=out,
                stderr=out,
                stdin=subprocess.DEVNULL,
            )
            stack.callback(stop, proc)
            started.append(Replica(proc, port, log))
        yield started


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


async def healthy(chatwoot: Chatwoot, replica: Replica) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        assert replica.proc.poll() is None, replica.log.read_text()[-2000:]
        try:
            response = await chatwoot.http.get(f"{replica.url}/health")
        except httpx2.TransportError:
            return None
        return response.json() if response.status_code == 200 else None

    return await eventually(probe, timeout=30)


async def all_answered(chatwoot: Chatwoot, customers: dict[int, list[int]]) -> bool:
    """Every conversation's newest bot reply covers its customer's last message."""
    state = await chatwoot.control("GET", "state")
    by_id = {c["id"]: c for c in state["conversations"]}
    for cid, said in customers.items():
        replies = [m for m in by_id[cid]["messages"] if is_bot_reply(m)]
        if not replies or replies[-1]["source_id"] != f"bot:{said[-1]}":
            return False
    return True


def is_bot_reply(message: dict[str, Any]) -> bool:
    return message["message_type"] == "outgoing" and not message["private"] and message["sender_type"] == "AgentBot"


async def assert_each_message_answered_once(chatwoot: Chatwoot, customers: dict[int, list[int]]) -> int:
    """In every conversation: the replies come in the order of the messages they cover, no two cover the same
    message, each customer message is covered by exactly one reply, and nobody handed it to a human. Returns the
    number of replies."""
    state = await chatwoot.control("GET", "state")
    by_id = {c["id"]: c for c in state["conversations"]}
    total = 0
    for cid, said in customers.items():
        conversation = by_id[cid]
        assert conversation["status"] == "pending", (cid, conversation["status"])
        replies = [m for m in conversation["messages"] if is_bot_reply(m)]
        covers = [int(m["source_id"].removeprefix("bot:")) for m in replies]
        assert covers == sorted(set(covers)), (cid, covers)  # in order, none twice
        assert set(covers) <= set(said) and covers[-1] == said[-1], (cid, covers, said)
        # Each reply answers the newest message it covers, so the customer saw it answered in order.
        for reply, covered in zip(replies, covers, strict=True):
            text = next(m["content"] for m in conversation["messages"] if m["id"] == covered)
            assert reply["content"] == f"BIA responde: {text}", (cid, reply["content"], text)
        total += len(replies)
    return total


async def settled(chatwoot: Chatwoot, replica: Replica) -> bool:
    response = await chatwoot.http.get(f"{replica.url}/health")
    return response.json()["pending_jobs"] == 0 and await chatwoot.deliveries_settled()


async def burst(customers: list[Customer], text: str) -> dict[int, list[int]]:
    said: dict[int, list[int]] = {}

    async def one(customer: Customer) -> None:
        said[customer.conversation_id or 0] = [await customer.say(f"{text} {customer.name}")]

    async with anyio.create_task_group() as tg:
        for customer in customers:
            tg.start_soon(one, customer)
    return said


async def start_customers(chatwoot: Chatwoot, count: int) -> list[Customer]:
    customers = [Customer(chatwoot, name=f"Cliente {i}") for i in range(count)]
    for customer in customers:
        await customer.start()
    return customers


@dataclass
class Cluster:
    fake: FakeOpenAI
    url: str  # the replicas' database
    one: Replica
    two: Replica
    balancer: Balancer


@asynccontextmanager
async def two_replicas(chatwoot: Chatwoot, tmp_path: Path, model_seconds: float) -> AsyncIterator[Cluster]:
    """Two healthy replicas on a schema of their own behind a balancer, with Chatwoot's bot pointed at it (and
    pointed away again at the end)."""
    secret = await chatwoot.bot_secret()
    with FakeOpenAI(default=slow_model(model_seconds)) as fake:
        async with pg_schema() as url:
            with replicas(2, chatwoot.sandbox, secret, url, fake, tmp_path) as (one, two):
                await healthy(chatwoot, one)
                await healthy(chatwoot, two)
                with Balancer([one.url, two.url]) as balancer:
                    await chatwoot.point_bot_at(f"{balancer.url}/webhooks/chatwoot")
                    try:
                        yield Cluster(fake, url, one, two, balancer)
                    finally:
                        await chatwoot.point_bot_at("")


async def test_two_replicas_answer_a_burst_exactly_once_and_share_the_work(chatwoot: Chatwoot, tmp_path: Path) -> None:
    async with two_replicas(chatwoot, tmp_path, model_seconds=0.5) as cluster:
        one, two = cluster.one, cluster.two
        customers = await start_customers(chatwoot, 30)
        said = await burst(customers, "Meu pedido atrasou")
        await eventually(lambda: all_answered(chatwoot, said), timeout=60)
        await eventually(lambda: settled(chatwoot, one), timeout=30)
        replies = await assert_each_message_answered_once(chatwoot, said)
        assert replies == len(said) == 30
        # No extra model call: each answer was asked once, whichever replica asked it.
        assert len(cluster.fake.requests) == 30
        # Both replicas received webhooks and both answered customers.
        assert cluster.balancer.sent[one.url] > 0 and cluster.balancer.sent[two.url] > 0
        assert one.lines("reply_sent") and two.lines("reply_sent")
        assert len(one.lines("reply_sent")) + len(two.lines("reply_sent")) == 30


async def test_a_replica_killed_mid_burst_has_its_conversations_answered_by_the_other(
    chatwoot: Chatwoot, tmp_path: Path
) -> None:
    async with two_replicas(chatwoot, tmp_path, model_seconds=1.5) as cluster:
        doomed, survivor = cluster.one, cluster.two
        customers = await start_customers(chatwoot, 30)
        said = await burst(customers, "Quero trocar o produto")
        # Killed while it holds conversations whose model calls are under way.
        held = await eventually(lambda: leases_of(cluster.url, doomed.proc.pid, at_least=5), timeout=30)
        doomed.proc.send_signal(signal.SIGKILL)
        doomed.proc.wait(timeout=10)
        killed_at = anyio.current_time()
        unanswered = [cid for cid in held if not await chatwoot.bot_replies(cid)]
        assert unanswered, "the killed replica had answered everything it held already"
        # Within seconds: the lease expires (2 s here) and the next sweep takes the work up.
        await eventually(lambda: all_answered(chatwoot, said), timeout=30)
        took = anyio.current_time() - killed_at
        await eventually(lambda: settled(chatwoot, survivor), timeout=30)
        await assert_each_message_answered_once(chatwoot, said)
        taken = {line["conversation_id"] for line in survivor.lines("reply_sent")}
        assert set(unanswered) <= taken
        assert took < 15, took
        assert cluster.balancer.sent[survivor.url] > 0


async def leases_of(url: str, pid: int, *, at_least: int) -> list[int]:
    """The conversations leased to the bot process `pid`, once there are `at_least` of them."""
    dsn, schema = split_schema(url)
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(f'SELECT conversation_id FROM "{schema}".leases WHERE owner LIKE $1', f"%:{pid}:%")
    except asyncpg.UndefinedTableError:
        return []
    finally:
        await conn.close()
    return [row["conversation_id"] for row in rows] if len(rows) >= at_least else []


async def test_replies_stay_in_order_when_a_conversation_moves_between_replicas(
    chatwoot: Chatwoot, tmp_path: Path
) -> None:
    async with two_replicas(chatwoot, tmp_path, model_seconds=0.4) as cluster:
        one, two = cluster.one, cluster.two
        customers = await start_customers(chatwoot, 6)
        said: dict[int, list[int]] = {c.conversation_id or 0: [] for c in customers}

        async def talk(customer: Customer) -> None:
            # Rounds of two messages, the second while the first is being answered; after each round's
            # answer the lease is given back, and the next round may land on the other replica.
            cid = customer.conversation_id or 0
            for turn in range(4):
                said[cid].append(await customer.say(f"mensagem {turn}a"))
                await anyio.sleep(0.3 + 0.2 * (turn % 2))
                said[cid].append(await customer.say(f"mensagem {turn}b"))
                await eventually(lambda: all_answered(chatwoot, {cid: said[cid]}), timeout=30)
                await anyio.sleep(0.5)

        async with anyio.create_task_group() as tg:
            for customer in customers:
                tg.start_soon(talk, customer)
        await eventually(lambda: all_answered(chatwoot, said), timeout=60)
        await eventually(lambda: settled(chatwoot, one), timeout=30)
        replies = await assert_each_message_answered_once(chatwoot, said)
        assert len(cluster.fake.requests) == replies
        # Conversations were worked by both replicas in turn.
        moved = [
            cid
            for cid in said
            if {line["conversation_id"] for line in one.lines("reply_sent")} >= {cid}
            and {line["conversation_id"] for line in two.lines("reply_sent")} >= {cid}
        ]
        assert moved, "no conversation was answered by both replicas"
