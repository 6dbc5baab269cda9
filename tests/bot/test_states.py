"""The conversation-state cache in front of the store: complete after start, and distrusting only what it must."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

from bot.states import ConversationStates
from bot.store.base import ConversationState
from bot.store.sqlite import SQLiteStore

pytestmark = pytest.mark.anyio


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "bot.sqlite3")
    await store.start()
    try:
        yield store
    finally:
        await store.close()


async def test_a_forgotten_conversation_is_read_again_while_the_others_still_need_no_read(store: SQLiteStore) -> None:
    await store.put_state(ConversationState(1, "pending", updated_at=1.0))
    states = ConversationStates(store)
    await states.load_all()
    # Rows written behind the cache's back: a complete cache knows conversation 3 has none and does not look.
    await store.put_state(ConversationState(2, "open", updated_at=2.0))
    await store.put_state(ConversationState(3, "open", updated_at=3.0))
    states.forget(2)  # a write of it failed part-way: it may or may not be stored
    states.remember(1, ConversationState(1, "open", updated_at=5.0))
    states.forget(1)  # likewise, for a conversation the cache held: what it held is dropped
    assert (await states.load(1)) == ConversationState(1, "pending", updated_at=1.0)
    assert (await states.load(2)) == ConversationState(2, "open", updated_at=2.0)
    assert await states.load(3) is None


async def test_an_evicted_cache_reads_what_it_no_longer_holds(store: SQLiteStore) -> None:
    states = ConversationStates(store, size=2)
    await states.load_all()
    for conversation_id in (1, 2, 3):
        state = ConversationState(conversation_id, "pending", updated_at=float(conversation_id))
        await store.put_state(state)
        states.remember(conversation_id, state)
    # Conversation 1 was evicted to make room: it is read from the store, not taken to have no row.
    assert (await states.load(1)) == ConversationState(1, "pending", updated_at=1.0)


async def test_a_reader_outside_the_lock_waits_for_the_writer_holding_it(store: SQLiteStore) -> None:
    await store.put_state(ConversationState(7, "pending", updated_at=1.0))
    states = ConversationStates(store)  # not loaded: a read goes to the store
    newer = ConversationState(7, "pending", human_active=True, updated_at=2.0)
    seen: list[ConversationState | None] = []

    async def writer(locked: anyio.Event) -> None:
        async with states.lock(7):  # as intake holds it: read, decide, store, remember
            locked.set()
            await anyio.sleep(0.05)
            await store.put_state(newer)
            states.remember(7, newer)

    async with anyio.create_task_group() as group:
        locked = anyio.Event()
        group.start_soon(writer, locked)
        await locked.wait()
        seen.append(await states.read(7))
    assert seen == [newer]
