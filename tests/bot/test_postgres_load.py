"""PostgreSQL under many conversations at once: intake never waits behind the workers for a connection."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import anyio
import httpx2
import pytest

from tests.bot.conftest import pg_schema
from tests.bot.harness import Chatwoot, Customer, bot_settings, eventually, running_bot
from tests.bot.responders import EchoResponder
from tests.conftest import Sandbox

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

CUSTOMERS = 200


@pytest.fixture
async def chatwoot(sandbox: Sandbox) -> AsyncIterator[Chatwoot]:
    limits = httpx2.Limits(max_connections=50)
    async with httpx2.AsyncClient(timeout=30, limits=limits) as http:
        yield Chatwoot(sandbox, http)


async def test_two_hundred_customers_at_once_with_256_workers_every_webhook_is_stored_at_the_first_try(
    chatwoot: Chatwoot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with pg_schema() as url:
        settings = bot_settings(chatwoot.sandbox, await chatwoot.bot_secret(), url, concurrency=256, debounce_seconds=0)
        async with running_bot(chatwoot, settings, responder=EchoResponder()) as app:
            assert app.state.store.name == "postgresql"
            customers = [Customer(chatwoot, name=f"Cliente {i}") for i in range(CUSTOMERS)]
            async with anyio.create_task_group() as tg:
                for customer in customers:
                    tg.start_soon(customer.start)
            # Everyone writes at once, and again while the workers are busy answering the first wave.
            for wave in ("Oi, preciso de ajuda", "Alguém aí?"):
                async with anyio.create_task_group() as tg:
                    for customer in customers:
                        tg.start_soon(customer.say, wave)

            async def all_answered() -> bool:
                store = app.state.store
                return await store.count_jobs() == 2 * CUSTOMERS and await store.count_jobs("pending") == 0

            # Polled gently: the test shares the bot's event loop, and the delivery log is large.
            await eventually(all_answered, timeout=300, interval=1)
            await eventually(chatwoot.deliveries_settled, timeout=60, interval=1)
            deliveries = [d for d in await chatwoot.control("GET", "deliveries") if d["kind"] == "agent_bot"]
            incoming = [
                d for d in deliveries if d["event"] == "message_created" and d["payload"]["message_type"] == "incoming"
            ]
            assert len(incoming) == 2 * CUSTOMERS
            # Every delivery (the customers' messages, the bot's own replies, status changes) got its 200 at once:
            # no 500 for Chatwoot to retry, no timeout after which it opens the conversation to humans.
            refused = [(d["event"], d["status"], d["attempts"]) for d in deliveries if d["attempts"] != 1]
            refused += [(d["event"], d["status"], d["attempts"]) for d in deliveries if d["status"] != 200]
            assert refused == []
            # Every customer message was stored as a job, and none is left pending.
            assert await app.state.store.count_jobs() == 2 * CUSTOMERS
    assert not [r for r in caplog.records if r.getMessage() == "webhook_not_stored"]
