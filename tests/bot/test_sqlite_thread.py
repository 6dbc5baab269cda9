"""The SQLite connection thread: group commit, and nobody told "stored" before the log is flushed to disk."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import anyio
import pytest

from bot.store.sqlite_thread import Batch, ConnectionThread

pytestmark = pytest.mark.anyio


def connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE IF NOT EXISTS t (v INTEGER)")
    db.isolation_level = "DEFERRED"
    return db


def insert_all(db: sqlite3.Connection, items: list[int]) -> list[int | Exception]:
    db.executemany("INSERT INTO t (v) VALUES (?)", [(item,) for item in items])
    return [len(items)] * len(items)


INSERT = Batch(insert_all)


async def test_calls_made_together_share_one_batch_and_each_gets_its_answer(tmp_path: Path) -> None:
    thread = ConnectionThread("test", flush_log=True)
    await thread.open(lambda: connect(tmp_path / "db.sqlite3"))
    results: dict[int, int] = {}

    async def insert(value: int) -> None:
        results[value] = await thread.call_batched(INSERT, value)

    async with anyio.create_task_group() as group:
        for value in range(20):
            group.start_soon(insert, value)
    assert set(results) == set(range(20))
    assert max(results.values()) > 1  # several of them went in one transaction
    assert await thread.call(lambda db: db.execute("SELECT count(*) FROM t").fetchone()[0]) == 20
    await thread.close(lambda: None)


async def test_an_item_the_database_refuses_fails_alone_and_the_rest_of_its_batch_is_stored(tmp_path: Path) -> None:
    thread = ConnectionThread("test", flush_log=True)
    await thread.open(lambda: connect(tmp_path / "db.sqlite3"))
    outcomes: dict[int, object] = {}

    async def insert(value: int) -> None:
        try:
            outcomes[value] = await thread.call_batched(INSERT, value)
        except OverflowError as exc:  # SQLite's integers are 64-bit: this value cannot be bound
            outcomes[value] = exc

    too_big = 2**64
    async with anyio.create_task_group() as group:
        for value in [*range(10), too_big, *range(10, 20)]:
            group.start_soon(insert, value)
    assert isinstance(outcomes.pop(too_big), OverflowError)
    assert set(outcomes) == set(range(20))
    stored = await thread.call(lambda db: [row[0] for row in db.execute("SELECT v FROM t ORDER BY v")])
    assert stored == list(range(20))
    await thread.close(lambda: None)


async def test_a_batch_failing_for_the_database_itself_is_not_tried_again_item_by_item(tmp_path: Path) -> None:
    runs: list[int] = []

    def locked(db: sqlite3.Connection, items: list[int]) -> list[int | Exception]:
        runs.append(len(items))
        raise sqlite3.OperationalError("database is locked")

    batch = Batch(locked)
    thread = ConnectionThread("test", flush_log=True)
    await thread.open(lambda: connect(tmp_path / "db.sqlite3"))
    failures: list[BaseException] = []

    async def insert_once(value: int) -> None:
        try:
            await thread.call_batched(batch, value)
        except sqlite3.OperationalError as exc:
            failures.append(exc)

    async with anyio.create_task_group() as group:
        for value in range(8):
            group.start_soon(insert_once, value)
    assert len(failures) == 8
    assert sum(runs) == 8 and len(runs) < 8  # batched, and no item was run a second time on its own
    await thread.close(lambda: None)


async def test_a_write_whose_log_cannot_be_flushed_fails_and_so_does_everything_after_it(tmp_path: Path) -> None:
    thread = ConnectionThread("test", flush_log=True)
    await thread.open(lambda: connect(tmp_path / "db.sqlite3"))
    assert await thread.call(lambda db: db.execute("SELECT 1").fetchone()[0]) == 1
    # /dev/null stands for a log the disk refuses to sync (fdatasync fails with EINVAL).
    thread._flusher.wal_path = "/dev/null"  # type: ignore[union-attr]
    with pytest.raises(OSError):
        await thread.call_batched(INSERT, 1)
    with pytest.raises(OSError):  # the disk refused once: nothing is reported as fine any more
        await thread.call(lambda db: db.execute("SELECT 1").fetchone()[0])
    await thread.close(lambda: None)


async def test_the_log_flushed_is_the_one_sqlite_writes_even_through_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    connect(tmp_path / "real" / "db.sqlite3").close()
    (tmp_path / "bot.sqlite3").symlink_to(tmp_path / "real" / "db.sqlite3")
    thread = ConnectionThread("test", flush_log=True)
    await thread.open(lambda: connect(tmp_path / "bot.sqlite3"))
    await thread.call_batched(INSERT, 1)
    # SQLite names the log after the file the link points to, not after the link.
    assert not (tmp_path / "bot.sqlite3-wal").exists()
    assert thread._flusher.wal_path == str(tmp_path / "real" / "db.sqlite3-wal")  # type: ignore[union-attr]
    await thread.close(lambda: None)
