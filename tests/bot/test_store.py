"""The Store contract, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

import anyio
import asyncpg
import pytest

from bot.store import Store, build_store
from bot.store.base import AcceptedEvent, ConversationState, NewJob
from bot.store.postgres import split_schema

pytestmark = pytest.mark.anyio


def accepted(message_id: int, conversation_id: int = 7, delivery: str | None = None) -> AcceptedEvent:
    return AcceptedEvent("message_created", conversation_id, message_id, delivery, 100.0, b'{"id": 1}')


async def test_an_event_is_stored_once_whatever_the_redeliveries(store: Store) -> None:
    job = NewJob("reply", 7, 11, 100.0)
    assert await store.accept(accepted(11, delivery="d-1"), dedup_keys=("delivery:d-1", "message:11"), job=job)
    # Same delivery id, or same message under a new delivery id: both are duplicates and store nothing.
    assert not await store.accept(accepted(11, delivery="d-1"), dedup_keys=("delivery:d-1", "message:11"), job=job)
    assert not await store.accept(accepted(11, delivery="d-2"), dedup_keys=("delivery:d-2", "message:11"), job=job)
    assert await store.count_events() == 1
    jobs = await store.pending_jobs()
    assert [(j.conversation_id, j.message_id, j.status, j.attempts) for j in jobs] == [(7, 11, "pending", 0)]
    # The rolled-back duplicate did not leave its fresh delivery key behind.
    assert await store.accept(accepted(12, delivery="d-2"), dedup_keys=("delivery:d-2", "message:12"))


async def test_jobs_are_listed_per_conversation_in_order_and_finished_once(store: Store) -> None:
    for message_id, conversation_id in [(1, 7), (2, 8), (3, 7)]:
        await store.accept(
            accepted(message_id, conversation_id),
            dedup_keys=(f"m:{message_id}",),
            job=NewJob("reply", conversation_id, message_id, float(message_id)),
        )
    seven = await store.pending_jobs(7)
    assert [j.message_id for j in seven] == [1, 3]
    await store.fail_jobs([j.id for j in seven], error="ServerError: 503", mode="answer", not_before=50.0)
    seven = await store.pending_jobs(7)
    assert [(j.attempts, j.last_error, j.not_before) for j in seven] == [(1, "ServerError: 503", 50.0)] * 2
    await store.finish_jobs([j.id for j in seven], "done")
    await store.finish_jobs([j.id for j in seven], "dropped")  # already finished: no change
    assert [j.message_id for j in await store.pending_jobs()] == [2]
    assert await store.count_jobs("done") == 2
    assert await store.count_jobs("dropped") == 0


async def test_a_takeover_drops_the_replies_still_waiting_in_that_conversation(store: Store) -> None:
    await store.accept(accepted(1, 7), dedup_keys=("m:1",), job=NewJob("reply", 7, 1, 1.0))
    await store.accept(accepted(2, 8), dedup_keys=("m:2",), job=NewJob("reply", 8, 2, 1.0))
    state = ConversationState(7, "pending", human_active=True, updated_at=2.0)
    await store.accept(
        accepted(3, 7), dedup_keys=("m:3",), job=NewJob("takeover", 7, 3, 2.0), state=state, drop_pending_replies=True
    )
    assert [(j.kind, j.conversation_id) for j in await store.pending_jobs()] == [("reply", 8), ("takeover", 7)]
    assert await store.get_state(7) == state
    assert await store.count_jobs("dropped") == 1


async def test_conversation_state_is_upserted(store: Store) -> None:
    assert await store.get_state(5) is None
    await store.put_state(ConversationState(5, "pending", updated_at=1.0))
    await store.put_state(ConversationState(5, "open", limit_handoff_sent=True, updated_at=2.0))
    assert await store.get_state(5) == ConversationState(5, "open", False, True, 2.0)
    await store.ping()


async def test_all_states_are_listed_unless_there_are_more_than_the_limit(store: Store) -> None:
    assert await store.all_states(2) == []
    first, second = ConversationState(1, "pending", updated_at=1.0), ConversationState(2, "open", True, updated_at=2.0)
    await store.put_state(first)
    await store.put_state(second)
    assert sorted(await store.all_states(2) or [], key=lambda s: s.conversation_id) == [first, second]
    assert await store.all_states(1) is None


async def test_old_events_keys_and_finished_jobs_are_pruned_but_pending_work_is_kept(store: Store) -> None:
    old = AcceptedEvent("message_created", 7, 1, "d-old", 10.0, b"{}")
    await store.accept(old, dedup_keys=("delivery:d-old",), job=NewJob("reply", 7, 1, 10.0))
    await store.accept(accepted(2), dedup_keys=("delivery:d-2",), job=NewJob("reply", 7, 2, 10.0))
    await store.accept(accepted(3), dedup_keys=("delivery:d-3",), job=NewJob("reply", 7, 3, 100.0))
    first = (await store.pending_jobs())[0]
    await store.finish_jobs([first.id], "done")
    # received_at 10 and 100: the old event and its key go, and the finished old job; the pending one stays.
    assert await store.prune(before=50.0) == 3
    assert await store.count_events() == 2
    assert [j.message_id for j in await store.pending_jobs()] == [2, 3]
    assert await store.accept(old, dedup_keys=("delivery:d-old",))  # its key was forgotten


async def test_jobs_survive_closing_and_reopening_the_database(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/again.sqlite3"
    first = build_store(url)
    await first.start()
    await first.accept(accepted(1), dedup_keys=("m:1",), job=NewJob("reply", 7, 1, 1.0))
    await first.close()
    second = build_store(url)
    await second.start()
    try:
        assert [j.message_id for j in await second.pending_jobs()] == [1]
        assert not await second.accept(accepted(1), dedup_keys=("m:1",))
    finally:
        await second.close()


def test_the_schema_parameter_is_taken_out_of_the_postgres_url() -> None:
    assert split_schema("postgresql://u@h:5432/db?schema=bot_1&sslmode=require") == (
        "postgresql://u@h:5432/db?sslmode=require",
        "bot_1",
    )
    with pytest.raises(ValueError, match="identifier"):
        split_schema("postgresql://u@h/db?schema=x;drop")
    with pytest.raises(ValueError, match="BOT_DATABASE_URL"):
        build_store("mysql://nope")


async def test_an_outcome_is_kept_under_its_key_and_the_first_one_saved_wins(store: Store) -> None:
    assert await store.get_outcome("bot:11") is None
    first = {"reply": "Vou te transferir, São Paulo", "handoff_reason": "pediu humano", "summary": None, "notes": ["n"]}
    assert await store.save_outcome("bot:11", conversation_id=7, outcome=first, created_at=100.0) == first
    # A second answer for the same batch does not replace what may already be half posted.
    second = {"reply": "outra", "handoff_reason": None, "summary": None, "notes": []}
    assert await store.save_outcome("bot:11", conversation_id=7, outcome=second, created_at=101.0) == first
    assert await store.get_outcome("bot:11") == first
    assert await store.get_outcome("bot:12") is None


async def test_old_outcomes_are_pruned_unless_their_conversation_still_has_pending_jobs(store: Store) -> None:
    await store.accept(accepted(1, 7), dedup_keys=("m:1",), job=NewJob("reply", 7, 1, 100.0))
    outcome = {"reply": "oi", "handoff_reason": None, "summary": None, "notes": []}
    await store.save_outcome("bot:1", conversation_id=7, outcome=outcome, created_at=10.0)
    await store.save_outcome("bot:2", conversation_id=8, outcome=outcome, created_at=10.0)
    await store.save_outcome("bot:3", conversation_id=8, outcome=outcome, created_at=100.0)
    assert await store.prune(before=50.0) == 1
    assert await store.get_outcome("bot:2") is None
    assert await store.get_outcome("bot:1") == outcome  # conversation 7 is still being worked on
    assert await store.get_outcome("bot:3") == outcome
    await store.finish_jobs([j.id for j in await store.pending_jobs(7)], "done")
    assert await store.prune(before=50.0) == 1
    assert await store.get_outcome("bot:1") is None


async def test_concurrent_accepts_are_each_stored_once_and_a_duplicate_among_them_undoes_only_itself(
    store: Store,
) -> None:
    results: dict[int, bool] = {}

    async def accept(message_id: int, key: str) -> None:
        job = NewJob("reply", message_id % 5, message_id, 1.0)
        results[message_id] = await store.accept(accepted(message_id, message_id % 5), dedup_keys=(key,), job=job)

    async with anyio.create_task_group() as group:
        for message_id in range(40):
            # Message 39 reuses message 3's key: it is the one duplicate in the crowd.
            group.start_soon(accept, message_id, "m:3" if message_id == 39 else f"m:{message_id}")
    refused = [m for m, stored in results.items() if not stored]
    assert len(refused) == 1 and refused[0] in (3, 39)  # whichever of the two came second
    assert await store.count_events() == 39
    assert sorted(j.message_id for j in await store.pending_jobs()) == sorted(set(range(40)) - set(refused))


async def test_an_event_the_database_refuses_fails_alone_among_concurrent_accepts(store: Store) -> None:
    failed: list[BaseException] = []

    async def accept(message_id: int, conversation_id: int) -> None:
        try:
            await store.accept(accepted(message_id, conversation_id), dedup_keys=(f"m:{message_id}",))
        except (OverflowError, asyncpg.DataError) as exc:  # a value no 64-bit integer column holds
            failed.append(exc)

    async with anyio.create_task_group() as group:
        for message_id in range(20):
            group.start_soon(accept, message_id, 2**64 if message_id == 7 else 5)
    assert len(failed) == 1
    assert await store.count_events() == 19
