"""SQLite backend: stdlib sqlite3 on one connection owned by its own thread, in WAL mode."""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from bot.store.base import AcceptedEvent, ConversationState, Job, JobMode, JobStatus, NewJob, StoreLockedError
from bot.store.sqlite_thread import Batch, ConnectionThread

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

SQLITE_ADVICE = (
    "a SQLite database serves one bot process: stop the other one, or run several bots on PostgreSQL"
    " (BOT_DATABASE_URL=postgresql://...?schema=<one per bot>)"
)
# (device, inode) of the database files this process's stores hold.
_HELD_FILES: set[tuple[int, int]] = set()

# A retry of a pending job may still need its conversation's outcome, however old.
PRUNE_OUTCOMES = (
    "DELETE FROM outcomes WHERE created_at < ?"
    " AND conversation_id NOT IN (SELECT conversation_id FROM jobs WHERE status = 'pending')"
)
STATE_SELECT = "SELECT conversation_id, status, human_active, limit_handoff_sent, updated_at FROM conversation_state"
JOB_INSERT = "INSERT INTO jobs (kind, conversation_id, message_id, created_at)"
STATE_UPSERT_HEAD = (
    "INSERT INTO conversation_state (conversation_id, status, human_active, limit_handoff_sent, updated_at)"
)
STATE_UPSERT_TAIL = (
    " ON CONFLICT (conversation_id) DO UPDATE SET status = excluded.status, human_active = excluded.human_active,"
    " limit_handoff_sent = excluded.limit_handoff_sent, updated_at = excluded.updated_at"
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


class SQLiteStore:
    """The default store: a file under ./.data/ (or `:memory:`)."""

    name = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock_fd: int | None = None
        self._lock_identity = (0, 0)
        # One thread owns the connection; accepts waiting at the same time share a transaction, and a second
        # thread makes each committed pass durable before anyone is answered (see sqlite_thread).
        self._thread = ConnectionThread("bot-sqlite", flush_log=self.path != ":memory:")

    @classmethod
    def from_url(cls, url: str) -> SQLiteStore:
        path = url.removeprefix("sqlite://").removeprefix("/")
        return cls(path or ":memory:")

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await self._thread.call(fn)

    async def start(self) -> None:
        def connect() -> sqlite3.Connection:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                self._take_file_lock()
            # A statement cache that holds every multi-row INSERT size a batch uses (four kinds up to ~100 rows).
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, cached_statements=512)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                # NORMAL: commits do not wait for the disk; the store's flusher thread fdatasyncs the log before
                # any caller hears back, so an event acknowledged to Chatwoot still survives a power cut.
                db.execute("PRAGMA synchronous=NORMAL" if self.path != ":memory:" else "PRAGMA synchronous=FULL")
                # Well under Chatwoot's 5 s webhook timeout: a locked database fails the webhook (500, retried).
                db.execute("PRAGMA busy_timeout=2000")
                # Statement journals in memory, not in temporary files opened and deleted per transaction.
                db.execute("PRAGMA temp_store=MEMORY")
                db.executescript(SCHEMA)
            except BaseException:
                db.close()
                raise
            db.isolation_level = "DEFERRED"
            return db

        try:
            await self._thread.open(connect)
        except BaseException:
            await self.close()
            raise

    def _take_file_lock(self) -> None:
        """An exclusive flock on the database file itself, held while the store is open: the lock belongs to the
        file (device and inode), so a symlink or a hard link to it finds it taken. The kernel drops it when the
        process dies, so a crashed bot never blocks the next one. flock and SQLite's own fcntl locks do not meet."""
        if self._lock_fd is not None:
            return
        try:
            known = os.stat(self.path)
        except FileNotFoundError:
            known = None
        # Closing any descriptor of a file drops the fcntl locks this process's SQLite connections hold on it, so
        # a second store of the same file in this process is refused before a descriptor is opened.
        if known is not None and (known.st_dev, known.st_ino) in _HELD_FILES:
            raise StoreLockedError(self.path, SQLITE_ADVICE)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreLockedError(self.path, SQLITE_ADVICE) from None
        status = os.fstat(fd)
        self._lock_fd, self._lock_identity = fd, (status.st_dev, status.st_ino)
        _HELD_FILES.add(self._lock_identity)

    async def close(self) -> None:
        def release_lock() -> None:
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
                _HELD_FILES.discard(self._lock_identity)

        await self._thread.close(release_lock)

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
        return await self._thread.call_batched(
            ACCEPT, _Acceptance(event, dedup_keys, job, state, drop_pending_replies)
        )

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


class _Acceptance(NamedTuple):
    event: AcceptedEvent
    dedup_keys: tuple[str, ...]
    job: NewJob | None
    state: ConversationState | None
    drop_pending_replies: bool


# Rows per multi-row INSERT: 6 columns x 100 stays under SQLite's oldest limit of 999 variables.
ROWS_PER_STATEMENT = 100


def _insert_rows(db: sqlite3.Connection, head: str, rows: list[tuple[Any, ...]], tail: str = "") -> None:
    """`head VALUES (...), (...) tail` for many rows at once: one statement instead of one per row."""
    if not rows:
        return
    marks = "(" + ", ".join("?" * len(rows[0])) + ")"
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        db.execute(f"{head} VALUES {', '.join([marks] * len(chunk))}{tail}", [v for row in chunk for v in row])


def _accept_all(db: sqlite3.Connection, items: list[_Acceptance]) -> list[bool]:
    """Accept every item that has no dedup key seen before (in the database or earlier in this batch), with a
    few statements for the whole batch, in the order the items came."""
    keys = list(dict.fromkeys(key for item in items for key in item.dedup_keys))
    seen: set[str] = set()
    for start in range(0, len(keys), ROWS_PER_STATEMENT * 6):
        chunk = keys[start : start + ROWS_PER_STATEMENT * 6]
        marks = ", ".join("?" * len(chunk))
        seen.update(row[0] for row in db.execute(f"SELECT key FROM dedup WHERE key IN ({marks})", chunk))
    accepted: list[bool] = []
    for item in items:
        fresh = not any(key in seen for key in item.dedup_keys)
        if fresh:
            seen.update(item.dedup_keys)
        accepted.append(fresh)
    kept = [item for item, fresh in zip(items, accepted, strict=True) if fresh]
    _insert_rows(
        db,
        "INSERT INTO dedup (key, created_at)",
        [(key, item.event.received_at) for item in kept for key in item.dedup_keys],
    )
    _insert_rows(
        db,
        "INSERT INTO events (event, conversation_id, message_id, delivery_id, received_at, body)",
        [
            (e.event, e.conversation_id, e.message_id, e.delivery_id, e.received_at, e.body)
            for e in (item.event for item in kept)
        ],
    )
    jobs: list[tuple[Any, ...]] = []
    for item in kept:
        job = item.job
        if job is None:
            continue
        if item.drop_pending_replies:
            # A takeover drops the replies queued before it, including those earlier in this batch.
            _insert_rows(db, JOB_INSERT, jobs)
            jobs = []
            db.execute(
                "UPDATE jobs SET status = 'dropped', note = 'a human agent took over'"
                " WHERE status = 'pending' AND kind = 'reply' AND conversation_id = ?",
                (job.conversation_id,),
            )
        jobs.append((job.kind, job.conversation_id, job.message_id, job.created_at))
    _insert_rows(db, JOB_INSERT, jobs)
    states = [item.state for item in kept if item.state is not None]
    _insert_rows(
        db,
        STATE_UPSERT_HEAD,
        [
            (st.conversation_id, st.status, int(st.human_active), int(st.limit_handoff_sent), st.updated_at)
            for st in states
        ],
        STATE_UPSERT_TAIL,
    )
    return accepted


ACCEPT: Batch[_Acceptance, bool] = Batch(_accept_all)

def _put_state(db: sqlite3.Connection, state: ConversationState) -> None:
    db.execute(
        f"{STATE_UPSERT_HEAD} VALUES (?, ?, ?, ?, ?){STATE_UPSERT_TAIL}",
        (state.conversation_id, state.status, int(state.human_active), int(state.limit_handoff_sent), state.updated_at),
    )
