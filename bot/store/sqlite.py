"""SQLite backend: stdlib sqlite3 on one connection, used from a worker thread, in WAL mode."""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from bot.store.base import AcceptedEvent, ConversationState, Job, JobMode, JobStatus, NewJob, StoreLockedError

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event TEXT NOT NULL,
    conversation_id INTEGER,
    message_id INTEGER,
    delivery_id TEXT,
    received_at REAL NOT NULL,
    body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS dedup (
    key TEXT PRIMARY KEY,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    conversation_id INTEGER NOT NULL,
    message_id INTEGER,
    created_at REAL NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    mode TEXT NOT NULL DEFAULT 'answer',
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before REAL NOT NULL DEFAULT 0,
    last_error TEXT,
    note TEXT
);
CREATE INDEX IF NOT EXISTS jobs_pending ON jobs (status, conversation_id, id);
CREATE TABLE IF NOT EXISTS conversation_state (
    conversation_id INTEGER PRIMARY KEY,
    status TEXT,
    human_active INTEGER NOT NULL DEFAULT 0,
    limit_handoff_sent INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS outcomes (
    key TEXT PRIMARY KEY,
    conversation_id INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    created_at REAL NOT NULL
);
"""

# A retry of a pending job may still need its conversation's outcome, however old.
PRUNE_OUTCOMES = (
    "DELETE FROM outcomes WHERE created_at < ?"
    " AND conversation_id NOT IN (SELECT conversation_id FROM jobs WHERE status = 'pending')"
)
JOB_COLUMNS = "id, kind, conversation_id, message_id, created_at, status, mode, attempts, not_before, last_error"


def job_from_row(row: Any) -> Job:
    return Job(
        id=row[0],
        kind=row[1],
        conversation_id=row[2],
        message_id=row[3],
        created_at=row[4],
        status=row[5],
        mode=row[6],
        attempts=row[7],
        not_before=row[8],
        last_error=row[9],
    )


# What a failed group commit is reported as to each member (the same errors the store raises anyway).
STORE_FAILURES = (sqlite3.Error, OSError, RuntimeError)


class _Grouped:
    """One call waiting for a group commit; filled in by the thread that applies the group."""

    __slots__ = ("fn", "result", "error", "applied", "finished")

    def __init__(self, fn: Callable[[sqlite3.Connection], Any]) -> None:
        self.fn = fn
        self.result: Any = None
        self.error: BaseException | None = None
        self.applied = False
        self.finished = False


def _apply_group(db: sqlite3.Connection, group: list[_Grouped]) -> None:
    if not db.in_transaction:
        db.execute("BEGIN")  # explicit: otherwise the first SAVEPOINT would be the transaction, and RELEASE commit
    for member in group:
        db.execute("SAVEPOINT grouped")
        try:
            member.result = member.fn(db)
            member.applied = True
        except (_Duplicate, sqlite3.Error) as exc:
            db.execute("ROLLBACK TO grouped")
            member.error = exc
        db.execute("RELEASE grouped")


class SQLiteStore:
    """The default store: a file under ./.data/ (or `:memory:`)."""

    name = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._db: sqlite3.Connection | None = None
        self._lock_fd: int | None = None
        self._lock = threading.Lock()
        # One thread at a time touches the connection; the lock guards against a second limiter user.
        self._limiter = anyio.CapacityLimiter(1)
        # Group commit: accepts waiting at the same time share one transaction, one thread hop, one fsync.
        self._pending: list[_Grouped] = []
        self._flush = anyio.Lock(fast_acquire=True)

    @classmethod
    def from_url(cls, url: str) -> SQLiteStore:
        path = url.removeprefix("sqlite://").removeprefix("/")
        return cls(path or ":memory:")

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        def call() -> T:
            with self._lock:
                if self._db is None:
                    raise RuntimeError("the SQLite store is not started")
                with self._db:  # one transaction: commit on success, rollback on error
                    return fn(self._db)

        return await anyio.to_thread.run_sync(call, limiter=self._limiter)

    async def _run_grouped(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` in a transaction shared with every grouped call waiting at the same time. Each call has its own
        savepoint, so one that fails (a duplicate) undoes only itself; a failed commit fails them all. Nothing is
        reported as stored before the commit that stores it."""
        item = _Grouped(fn)
        self._pending.append(item)
        async with self._flush:
            if not item.finished:
                group, self._pending = self._pending, []
                try:
                    await self._run(lambda db: _apply_group(db, group))
                except STORE_FAILURES as exc:
                    for member in group:
                        member.error = exc
                finally:
                    for member in group:
                        if not member.applied and member.error is None:
                            member.error = RuntimeError("the grouped transaction did not run")
                        member.finished = True
        if item.error is not None:
            raise item.error
        return item.result

    async def start(self) -> None:
        def open_db() -> None:
            if self._db is not None:
                return
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                self._take_file_lock()
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            # FULL: an event acknowledged to Chatwoot survives a power cut, not only a process crash.
            db.execute("PRAGMA synchronous=FULL")
            # Well under Chatwoot's 5 s webhook timeout: a locked database fails the webhook (500, retried).
            db.execute("PRAGMA busy_timeout=2000")
            db.executescript(SCHEMA)
            db.isolation_level = "DEFERRED"
            self._db = db

        try:
            await anyio.to_thread.run_sync(open_db, limiter=self._limiter)
        except BaseException:
            await self.close()
            raise

    def _take_file_lock(self) -> None:
        """An exclusive flock on `<path>.lock`, held while the store is open; the kernel drops it when the
        process dies, so a crashed bot never blocks the next one."""
        fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreLockedError(self.path) from None
        self._lock_fd = fd

    async def close(self) -> None:
        def close_db() -> None:
            with self._lock:
                if self._db is not None:
                    self._db.close()
                    self._db = None
                if self._lock_fd is not None:
                    os.close(self._lock_fd)
                    self._lock_fd = None

        await anyio.to_thread.run_sync(close_db, limiter=self._limiter)

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
        def tx(db: sqlite3.Connection) -> bool:
            for key in dedup_keys:
                cur = db.execute(
                    "INSERT INTO dedup (key, created_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                    (key, event.received_at),
                )
                if cur.rowcount == 0:
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
            if drop_pending_replies and job is not None:
                db.execute(
                    "UPDATE jobs SET status = 'dropped', note = 'a human agent took over'"
                    " WHERE status = 'pending' AND kind = 'reply' AND conversation_id = ?",
                    (job.conversation_id,),
                )
            if job is not None:
                db.execute(
                    "INSERT INTO jobs (kind, conversation_id, message_id, created_at) VALUES (?, ?, ?, ?)",
                    (job.kind, job.conversation_id, job.message_id, job.created_at),
                )
            if state is not None:
                _put_state(db, state)
            return True

        try:
            return await self._run_grouped(tx)
        except _Duplicate:
            return False

    async def get_state(self, conversation_id: int) -> ConversationState | None:
        def read(db: sqlite3.Connection) -> ConversationState | None:
            row = db.execute(
                "SELECT conversation_id, status, human_active, limit_handoff_sent, updated_at"
                " FROM conversation_state WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()
            if row is None:
                return None
            return ConversationState(row[0], row[1], bool(row[2]), bool(row[3]), row[4])

        return await self._run(read)

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
    """Raised inside the transaction to roll it back when a dedup key already exists."""


def _put_state(db: sqlite3.Connection, state: ConversationState) -> None:
    db.execute(
        "INSERT INTO conversation_state (conversation_id, status, human_active, limit_handoff_sent, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (conversation_id) DO UPDATE SET status = excluded.status,"
        " human_active = excluded.human_active, limit_handoff_sent = excluded.limit_handoff_sent,"
        " updated_at = excluded.updated_at",
        (state.conversation_id, state.status, int(state.human_active), int(state.limit_handoff_sent), state.updated_at),
    )
