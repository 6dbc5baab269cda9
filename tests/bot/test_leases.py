"""Conversation leases on PostgreSQL, claimed by two stores at once (two pools, as two replicas would be)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import anyio
import pytest

from bot.store.base import AcceptedEvent, ConversationState, NewJob
from bot.store.leases import PostgresLeases
from bot.store.postgres import PostgresStore
from tests.bot.conftest import pg_schema

pytestmark = pytest.mark.anyio


@pytest.fixture
async def two() -> AsyncIterator[tuple[PostgresLeases, PostgresLeases]]:
    async with pg_schema() as url:
        stores = [PostgresStore(url), PostgresStore(url)]
        await asyncio.gather(*(store.start() for store in stores))
        try:
            leases = (PostgresLeases(stores[0], seconds=1.0), PostgresLeases(stores[1], seconds=1.0))
            await asyncio.gather(*(lease.start() for lease in leases))
            yield leases
        finally:
            for store in stores:
                await store.close()


async def test_of_two_replicas_claiming_a_conversation_at_once_exactly_one_wins(
    two: tuple[PostgresLeases, PostgresLeases],
) -> None:
    a, b = two
    for conversation_id in range(1, 101):
        won = await asyncio.gather(a.claim(conversation_id), b.claim(conversation_id))
        assert sorted(won) == [False, True], conversation_id
        loser = b if won[0] else a
        assert not await loser.claim(conversation_id)  # until the winner's lease ends


async def test_a_lease_not_renewed_expires_and_its_old_holder_learns_it_lost_it(
    two: tuple[PostgresLeases, PostgresLeases],
) -> None:
    a, b = two
    assert await a.claim(7)
    assert await a.claim(7)  # ours already: extended
    assert not await b.claim(7)
    await anyio.sleep(1.2)
    assert await a.renew() == {7}  # expired, but nobody took it: still a's
    assert not await b.claim(7)
    await anyio.sleep(1.2)
    assert await b.claim(7)
    assert await a.renew() == set()
    assert await b.renew() == {7}
    await b.release(7)
    assert await a.claim(7)  # given back: taken at once


async def test_orphans_are_pending_jobs_past_their_debounce_that_no_live_lease_covers(
    two: tuple[PostgresLeases, PostgresLeases],
) -> None:
    a, b = two
    old, now = time.time() - 10, time.time()
    for message_id, (conversation_id, created_at) in enumerate([(1, old), (2, old), (3, now)], start=1):
        event = AcceptedEvent("message_created", conversation_id, message_id, None, created_at, b"{}")
        job = NewJob("reply", conversation_id, message_id, created_at)
        assert await a.store.accept(event, dedup_keys=(f"m:{message_id}",), job=job)
    assert await a.claim(2)
    # 3 is too recent (the replica that took it in claims it at the end of its debounce); 2 is leased.
    assert await b.orphans(now - 1) == [1]
    await a.release_all()
    assert sorted(await b.orphans(now - 1)) == [1, 2]


async def test_a_state_row_is_never_replaced_by_one_built_from_an_older_conversation(
    two: tuple[PostgresLeases, PostgresLeases],
) -> None:
    a, b = two
    await a.store.put_state(ConversationState(7, "pending", human_active=True, updated_at=20.0))
    # Another replica's intake decided from the state before that write, on an older delivery.
    await b.store.put_state(ConversationState(7, "pending", human_active=False, updated_at=10.0))
    assert await b.store.get_state(7) == ConversationState(7, "pending", human_active=True, updated_at=20.0)
    await b.store.put_state(ConversationState(7, "open", human_active=False, updated_at=20.0))
    assert await a.store.get_state(7) == ConversationState(7, "open", human_active=False, updated_at=20.0)
