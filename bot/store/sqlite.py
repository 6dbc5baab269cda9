"""SQLite backend: stdlib sqlite3, one connection in WAL mode with synchronous=FULL, used from one thread."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from bot.store.base import (
    AcceptedEvent,
    ConversationState,
    Job,
    JobMode,
    JobStatus,
    NewJob,
)
from bot.store.sqlite_lock import FileLock
from bot.store.sqlite_schema import (
    JOB_COLUMNS,
    PRUNE_OUTCOMES,
    SCHEMA,
    STATE_SELECT,
    STATE_UPSERT,
    job_from_row,
)

T = TypeVar("T")


class SQLiteStore:
    """The default store: a file under ./.data/ (or `:memory:`).

    Every call runs on one thread that owns the connection, in a transaction of its own (accepts waiting at the
    same time share one); a commit returns once the write-ahead log is on disk (synchronous=FULL), so an accepted
    webhook survives a crash or a power cut."""

    name = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._db: sqlite3.Connection | None = None
        self._thread: ThreadPoolExecutor | None = None
        self._file_lock: FileLock | None = None
        # Accepts waiting for the thread, with the loop and the future of each caller.
        self._accepts: deque[tuple[Accept, asyncio.AbstractEventLoop, asyncio.Future[bool]]] = deque()

    @classmethod
    def from_url(cls, url: str) -> SQLiteStore:
        path = url.removeprefix("sqlite://").removeprefix("/")
        return cls(path or ":memory:")

    async def _on_thread(self, fn: Callable[[], T]) -> T:
        if self._thread is None:
            raise sqlite3.ProgrammingError("the SQLite store is not started")
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn)

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """`fn` in a transaction of its own: committed when it returns, rolled back when it raises."""

        def call() -> T:
            if self._db is None:
                raise sqlite3.ProgrammingError("the SQLite store is not started")
            return _in_transaction(self._db, fn)

        return await self._on_thread(call)

    async def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bot-sqlite")
        try:
            self._db = await self._on_thread(self._connect)
        except BaseException:
            await self.close()
            raise

    def _connect(self) -> sqlite3.Connection:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._file_lock = FileLock.take(self.path)
        # isolation_level=None: transactions are begun and ended explicitly (_in_transaction).
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # each commit is on disk before the webhook's 200
            # Well under Chatwoot's 5 s webhook timeout: a locked database fails the webhook (500, retried).
            db.execute("PRAGMA busy_timeout=2000")
            db.executescript(SCHEMA)
        except BaseException:
            db.close()
            raise
        return db

    async def close(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return

        def release() -> None:
            try:
                if self._db is not None:
                    self._db.close()
                    self._db = None
            finally:
                if self._file_lock is not None:
                    self._file_lock.release()
                    self._file_lock = None

        try:
            await asyncio.get_running_loop().run_in_executor(thread, release)
        finally:
            thread.shutdown(wait=False)

    async def ping(self) -> None:
        await self._run(lambda db: db.execute("SELECT 1").fetchone())

    async def accept(
        self,
        event: AcceptedEvent,
        *,
        dedup_keys: tuple[str, ...],
        job: NewJob | None = None,
        state: ConversationState | None = None,
        drop_pending_replies: bool = False,
    ) -> bool:
        def write(db: sqlite3.Connection) -> bool:
            for key in dedup_keys:
                inserted = db.execute(
                    "INSERT INTO dedup (key, created_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                    (key, event.received_at),
                ).rowcount
                if not inserted:
                    raise _Duplicate
            db.execute(
                "INSERT INTO events (event, conversation_id, message_id, delivery_id, received_at, body)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    event.event,
                    event.conversation_id,
                    event.message_id,
                    event.delivery_id,
                    event.received_at,
                    event.body,
                ),
            )
            if job is not None:
                if drop_pending_replies:
                    db.execute(
                        "UPDATE jobs SET status = 'dropped', note = 'a human agent took over'"
                        " WHERE status = 'pending' AND kind = 'reply' AND conversation_id = ?",
                        (job.conversation_id,),
                    )
                db.execute(
                    "INSERT INTO jobs (kind, conversation_id, message_id, created_at) VALUES (?, ?, ?, ?)",
                    (job.kind, job.conversation_id, job.message_id, job.created_at),
                )
            if state is not None:
                _put_state(db, state)
            return True

        if self._thread is None:
            raise sqlite3.ProgrammingError("the SQLite store is not started")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        self._accepts.append((write, loop, future))
        if len(self._accepts) == 1:  # the first to wait: one pass on the thread takes it and all that follow
            self._thread.submit(self._write_accepts)
        return await future

    def _write_accepts(self) -> None:
        """On the thread: every accept queued by now, in one transaction (group commit), because a commit waits
        for the disk and one per webhook missed the intake targets (figures in docs/architecture.md, Stores)."""
        batch = []
        while self._accepts:
            batch.append(self._accepts.popleft())
        if not batch:
            return  # an earlier pass took them
        try:
            if self._db is None:
                raise sqlite3.ProgrammingError("the SQLite store is not started")
            results = _accept_all(self._db, [write for write, _, _ in batch])
        except BaseException as exc:  # nothing of the batch was committed: every caller hears why
            results = [exc] * len(batch)
        # One wake-up per event loop for the whole batch, not one per caller.
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[bool], bool | BaseException]]] = {}
        for (_, loop, future), result in zip(batch, results, strict=True):
            by_loop.setdefault(loop, []).append((future, result))
        for loop, settled in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, settled)
            except RuntimeError:  # that loop is closed: nobody waits any more
                pass

    async def get_state(self, conversation_id: int) -> ConversationState | None:
        def read(db: sqlite3.Connection) -> ConversationState | None:
            row = db.execute(f"{STATE_SELECT} WHERE conversation_id = ?", (conversation_id,)).fetchone()
            if row is None:
                return None
            return ConversationState(row[0], row[1], bool(row[2]), bool(row[3]), row[4])

        return await self._run(read)

    async def all_states(self, limit: int) -> list[ConversationState] | None:
        def read(db: sqlite3.Connection) -> list[ConversationState]:
            rows = db.execute(f"{STATE_SELECT} LIMIT ?", (limit + 1,)).fetchall()
            return [ConversationState(row[0], row[1], bool(row[2]), bool(row[3]), row[4]) for row in rows]

        states = await self._run(read)
        return states if len(states) <= limit else None

    async def put_state(self, state: ConversationState) -> None:
        await self._run(lambda db: _put_state(db, state))

    async def pending_jobs(self, conversation_id: int | None = None) -> list[Job]:
        def read(db: sqlite3.Connection) -> list[Job]:
            if conversation_id is None:
                rows = db.execute(f"SELECT {JOB_COLUMNS} FROM jobs WHERE status = 'pending' ORDER BY id").fetchall()
            else:
                rows = db.execute(
                    f"SELECT {JOB_COLUMNS} FROM jobs WHERE status = 'pending' AND conversation_id = ? ORDER BY id",
                    (conversation_id,),
                ).fetchall()
            return [job_from_row(row) for row in rows]

        return await self._run(read)

    async def finish_jobs(self, job_ids: list[int], status: JobStatus, note: str | None = None) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.executemany(
                "UPDATE jobs SET status = ?, note = ? WHERE id = ? AND status = 'pending'",
                [(status, note, job_id) for job_id in job_ids],
            )

        await self._run(write)

    async def fail_jobs(self, job_ids: list[int], *, error: str, mode: JobMode, not_before: float) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.executemany(
                "UPDATE jobs SET attempts = attempts + 1, last_error = ?, mode = ?, not_before = ?"
                " WHERE id = ? AND status = 'pending'",
                [(error, mode, not_before, job_id) for job_id in job_ids],
            )

        await self._run(write)

    async def save_outcome(
        self, key: str, *, conversation_id: int, outcome: dict[str, Any], created_at: float
    ) -> dict[str, Any]:
        def write(db: sqlite3.Connection) -> dict[str, Any]:
            db.execute(
                "INSERT INTO outcomes (key, conversation_id, outcome, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (key) DO NOTHING",
                (key, conversation_id, json.dumps(outcome, ensure_ascii=False), created_at),
            )
            row = db.execute("SELECT outcome FROM outcomes WHERE key = ?", (key,)).fetchone()
            return dict(json.loads(row[0]))

        return await self._run(write)

    async def get_outcome(self, key: str) -> dict[str, Any] | None:
        def read(db: sqlite3.Connection) -> dict[str, Any] | None:
            row = db.execute("SELECT outcome FROM outcomes WHERE key = ?", (key,)).fetchone()
            return None if row is None else dict(json.loads(row[0]))

        return await self._run(read)

    async def prune(self, before: float) -> int:
        def delete(db: sqlite3.Connection) -> int:
            deleted = db.execute("DELETE FROM events WHERE received_at < ?", (before,)).rowcount
            deleted += db.execute("DELETE FROM dedup WHERE created_at < ?", (before,)).rowcount
            deleted += db.execute("DELETE FROM jobs WHERE status != 'pending' AND created_at < ?", (before,)).rowcount
            deleted += db.execute(PRUNE_OUTCOMES, (before,)).rowcount
            return deleted

        return await self._run(delete)

    async def count_jobs(self, status: JobStatus | None = None) -> int:
        def read(db: sqlite3.Connection) -> int:
            if status is None:
                return int(db.execute("SELECT count(*) FROM jobs").fetchone()[0])
            return int(db.execute("SELECT count(*) FROM jobs WHERE status = ?", (status,)).fetchone()[0])

        return await self._run(read)

    async def count_events(self) -> int:
        return await self._run(lambda db: int(db.execute("SELECT count(*) FROM events").fetchone()[0]))


class _Duplicate(Exception):
    """Raised inside an accept to roll it back when a dedup key was seen before."""


Accept = Callable[[sqlite3.Connection], bool]
# What one accept can cause alone: what SQLite refuses, and what binding a value raises (an integer past 64 bits,
# text that cannot be encoded).
ITEM_ERRORS = (sqlite3.Error, OverflowError, ValueError)


def _accept_all(db: sqlite3.Connection, writes: list[Accept]) -> list[bool | BaseException]:
    """Each accept under a savepoint of one transaction: a duplicate or an error undoes that accept alone."""
    results: list[bool | BaseException] = []
    db.execute("BEGIN IMMEDIATE")
    try:
        for write in writes:
            db.execute("SAVEPOINT accept")
            try:
                results.append(write(db))
            except (_Duplicate, *ITEM_ERRORS) as exc:
                db.execute("ROLLBACK TO accept")
                results.append(False if isinstance(exc, _Duplicate) else exc)
            db.execute("RELEASE accept")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return results


def _settle(settled: list[tuple[asyncio.Future[bool], bool | BaseException]]) -> None:
    for future, result in settled:
        if future.done():  # its caller was cancelled; the accept was done (or failed) all the same
            continue
        if isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)


def _in_transaction(db: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    db.execute("BEGIN IMMEDIATE")
    try:
        result = fn(db)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return result


def _put_state(db: sqlite3.Connection, state: ConversationState) -> None:
    db.execute(
        STATE_UPSERT,
        (state.conversation_id, state.status, int(state.human_active), int(state.limit_handoff_sent), state.updated_at),
    )
