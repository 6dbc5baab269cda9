"""The embedded mirror: one SQLite file (WAL, so the bot and an MCP server process may share it), each call in a
worker thread so the event loop never waits on the disk."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import anyio

from chatwoot_mcp.records.ledger import Decision, decide
from chatwoot_mcp.records.mirror import CustomerRow, MessageRow, Sample
from chatwoot_mcp.records.model import Observation, Record, State
from chatwoot_mcp.records.rows import handoff_status, record_from, state_from

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS customers (
    id INTEGER PRIMARY KEY,
    chatwoot_contact_id INTEGER UNIQUE,
    name TEXT, email TEXT, phone TEXT,
    updated_at REAL
);
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY,
    chatwoot_conversation_id INTEGER UNIQUE,
    status TEXT,
    assigned_to INTEGER,
    handoff_status TEXT DEFAULT 'ai' CONSTRAINT chk_handoff_status CHECK (handoff_status IN ('ai', 'human', 'pending')),
    handoff_at REAL,
    handoff_reason TEXT,
    hands TEXT CHECK (hands IN ('ai', 'human', 'pending', 'closed')),
    chatwoot_updated_at REAL,
    created_at REAL DEFAULT ((julianday('now') - 2440587.5) * 86400.0),
    deleted_at REAL
);
CREATE INDEX IF NOT EXISTS idx_conversations_handoff_status ON conversations(handoff_status) WHERE deleted_at IS NULL;
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    chatwoot_message_id INTEGER UNIQUE,
    chatwoot_conversation_id INTEGER,
    sender_type TEXT CHECK (sender_type IN ('customer', 'ai', 'human')),
    content TEXT,
    created_at REAL
);
CREATE INDEX IF NOT EXISTS idx_messages_created_at ON messages(created_at);
CREATE TABLE IF NOT EXISTS handoff_events (
    id INTEGER PRIMARY KEY,
    chatwoot_conversation_id INTEGER NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL CHECK (to_state IN ('ai', 'human', 'pending', 'closed')),
    at REAL NOT NULL,
    trigger TEXT NOT NULL,
    reason TEXT,
    who_type TEXT,
    who_id INTEGER,
    source TEXT NOT NULL,
    held_seconds REAL,
    recorded_at REAL DEFAULT ((julianday('now') - 2440587.5) * 86400.0)
);
CREATE INDEX IF NOT EXISTS idx_handoff_events_conversation ON handoff_events(chatwoot_conversation_id, id);
CREATE INDEX IF NOT EXISTS idx_handoff_events_at ON handoff_events(at);
CREATE TABLE IF NOT EXISTS bot_samples (
    at REAL NOT NULL, kind TEXT NOT NULL, value REAL, ok INTEGER NOT NULL, count INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS idx_bot_samples_at ON bot_samples(at);
"""

RECORD_COLUMNS = (
    "id, chatwoot_conversation_id, from_state, to_state, at, trigger, source, reason, who_type, who_id, held_seconds"
)
STATE_COLUMNS = "hands, chatwoot_updated_at, handoff_at, status, assigned_to, handoff_reason, handoff_status"


class SQLiteMirror:
    name = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    async def open(self) -> None:
        if self._conn is None:
            await anyio.to_thread.run_sync(self._open)

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=5.0)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(SCHEMA)
        if "count" not in {row["name"] for row in conn.execute("PRAGMA table_info(bot_samples)")}:
            conn.execute("ALTER TABLE bot_samples ADD COLUMN count INTEGER NOT NULL DEFAULT 1")  # a mirror made before
        self._conn = conn

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await anyio.to_thread.run_sync(conn.close)

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._conn is None:
            await self.open()

        def call() -> T:
            assert self._conn is not None
            with self._lock:
                return fn(self._conn)

        return await anyio.to_thread.run_sync(call)

    async def apply(self, obs: Observation) -> Decision:
        return (await self.apply_all([obs]))[0]

    async def apply_all(self, observations: list[Observation]) -> list[Decision]:
        """Each report in turn, all in one transaction."""
        if not observations:
            return []
        return await self._run(lambda conn: self._apply_all(conn, observations))

    async def write_batch(
        self,
        observations: list[Observation],
        customers: list[CustomerRow],
        messages: list[MessageRow],
        samples: list[Sample],
    ) -> list[Decision]:
        """Everything the recorder has gathered, in one transaction (and one trip to the database's thread)."""

        def write(conn: sqlite3.Connection) -> list[Decision]:
            conn.execute("BEGIN IMMEDIATE")
            try:
                decisions = [self._apply(conn, obs) for obs in observations]
                self._customers(conn, customers)
                self._messages(conn, messages)
                self._samples(conn, samples)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return decisions

        return await self._run(write)

    def _apply_all(self, conn: sqlite3.Connection, observations: list[Observation]) -> list[Decision]:
        # BEGIN IMMEDIATE takes the write lock first: another process applying to the same file waits, so each
        # read-decide-write below is never interleaved with another.
        conn.execute("BEGIN IMMEDIATE")
        try:
            decisions = [self._apply(conn, obs) for obs in observations]
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return decisions

    def _apply(self, conn: sqlite3.Connection, obs: Observation) -> Decision:
        cid = obs.conversation_id
        row = conn.execute(
            f"SELECT {STATE_COLUMNS} FROM conversations WHERE chatwoot_conversation_id = ?", (cid,)
        ).fetchone()
        latest = conn.execute(
            f"SELECT {RECORD_COLUMNS} FROM handoff_events WHERE chatwoot_conversation_id = ? ORDER BY id DESC LIMIT 1",
            (cid,),
        ).fetchone()
        decision = decide(state_from(row), record_from(latest), obs)
        if decision.state is not None:
            state = decision.state
            conn.execute(
                "INSERT INTO conversations (chatwoot_conversation_id, status, assigned_to, handoff_status, "
                "handoff_at, handoff_reason, hands, chatwoot_updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (chatwoot_conversation_id) DO UPDATE SET status = excluded.status, "
                "assigned_to = excluded.assigned_to, handoff_status = excluded.handoff_status, "
                "handoff_at = excluded.handoff_at, handoff_reason = excluded.handoff_reason, "
                "hands = excluded.hands, chatwoot_updated_at = excluded.chatwoot_updated_at",
                (cid, state.status, state.assigned_to, handoff_status(state.hands, row["handoff_status"] if row else None),
                 state.handoff_at, state.reason, state.hands, state.chatwoot_updated_at),
            )  # fmt: skip
        record = decision.record
        if record is not None and record.id is None:
            cursor = conn.execute(
                "INSERT INTO handoff_events (chatwoot_conversation_id, from_state, to_state, at, trigger, reason, "
                "who_type, who_id, source, held_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (cid, record.from_hands, record.to_hands, record.at, record.trigger, record.reason,
                 record.who_type, record.who_id, record.source, record.held_seconds),
            )  # fmt: skip
            decision = replace(decision, record=replace(record, id=cursor.lastrowid))
        elif record is not None:
            conn.execute(
                "UPDATE handoff_events SET to_state = ?, trigger = ?, reason = ?, who_type = ?, who_id = ?, "
                "held_seconds = ? WHERE id = ?",
                (
                    record.to_hands,
                    record.trigger,
                    record.reason,
                    record.who_type,
                    record.who_id,
                    record.held_seconds,
                    record.id,
                ),
            )
        return decision

    @staticmethod
    def _messages(conn: sqlite3.Connection, rows: list[MessageRow]) -> None:
        conn.executemany(
            "INSERT INTO messages (chatwoot_message_id, chatwoot_conversation_id, sender_type, content, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (chatwoot_message_id) DO UPDATE SET content = excluded.content",
            [(r.chatwoot_message_id, r.chatwoot_conversation_id, r.sender_type, r.content, r.created_at) for r in rows],
        )

    @staticmethod
    def _customers(conn: sqlite3.Connection, rows: list[CustomerRow]) -> None:
        conn.executemany(
            "INSERT INTO customers (chatwoot_contact_id, name, email, phone) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (chatwoot_contact_id) DO UPDATE SET name = excluded.name, email = excluded.email, "
            "phone = excluded.phone",
            [(r.chatwoot_contact_id, r.name, r.email, r.phone) for r in rows],
        )

    @staticmethod
    def _samples(conn: sqlite3.Connection, rows: list[Sample]) -> None:
        conn.executemany(
            "INSERT INTO bot_samples (at, kind, value, ok, count) VALUES (?, ?, ?, ?, ?)",
            [(r.at, r.kind, r.value, int(r.ok), r.count) for r in rows],
        )

    async def upsert_messages(self, rows: list[MessageRow]) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT INTO messages (chatwoot_message_id, chatwoot_conversation_id, sender_type, content, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (chatwoot_message_id) DO UPDATE SET content = excluded.content",
                [
                    (r.chatwoot_message_id, r.chatwoot_conversation_id, r.sender_type, r.content, r.created_at)
                    for r in rows
                ],
            )

        if rows:
            await self._run(write)

    async def upsert_customers(self, rows: list[CustomerRow]) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT INTO customers (chatwoot_contact_id, name, email, phone, updated_at) "
                "VALUES (?, ?, ?, ?, ((julianday('now') - 2440587.5) * 86400.0)) ON CONFLICT (chatwoot_contact_id) DO UPDATE SET "
                "name = excluded.name, email = excluded.email, phone = excluded.phone, updated_at = excluded.updated_at",
                [(r.chatwoot_contact_id, r.name, r.email, r.phone) for r in rows],
            )

        if rows:
            await self._run(write)

    async def add_samples(self, rows: list[Sample]) -> None:
        if rows:
            await self._run(lambda conn: self._samples(conn, rows))

    async def prune_samples(self, before: float) -> int:
        return await self._run(lambda conn: conn.execute("DELETE FROM bot_samples WHERE at < ?", (before,)).rowcount)

    async def state(self, conversation_id: int) -> State | None:
        def read(conn: sqlite3.Connection) -> Any:
            return conn.execute(
                f"SELECT {STATE_COLUMNS} FROM conversations WHERE chatwoot_conversation_id = ?", (conversation_id,)
            ).fetchone()

        return state_from(await self._run(read))

    async def records(
        self, conversation_id: int | None = None, since: float = 0.0, until: float = 2**62
    ) -> list[Record]:
        def read(conn: sqlite3.Connection) -> list[Any]:
            where, args = "at >= ? AND at < ?", [since, until]
            if conversation_id is not None:
                where += " AND chatwoot_conversation_id = ?"
                args.append(conversation_id)
            return conn.execute(
                f"SELECT {RECORD_COLUMNS} FROM handoff_events WHERE {where} ORDER BY id", args
            ).fetchall()

        return [r for r in map(record_from, await self._run(read)) if r is not None]

    async def samples(self, since: float, until: float) -> list[Sample]:
        def read(conn: sqlite3.Connection) -> list[Any]:
            return conn.execute(
                "SELECT at, kind, value, ok, count FROM bot_samples WHERE at >= ? AND at < ? ORDER BY at",
                (since, until),
            ).fetchall()

        return [Sample(r["at"], r["kind"], r["value"], bool(r["ok"]), r["count"]) for r in await self._run(read)]

    async def message_counts(self, since: float, until: float) -> dict[str, int]:
        def read(conn: sqlite3.Connection) -> list[Any]:
            return conn.execute(
                "SELECT sender_type, count(*) AS n FROM messages WHERE created_at >= ? AND created_at < ? "
                "GROUP BY sender_type",
                (since, until),
            ).fetchall()

        return {r["sender_type"]: r["n"] for r in await self._run(read)}

    async def change_counts(self) -> list[tuple[str | None, str, str, int]]:
        """(from, to, trigger, records) over every record."""

        def read(conn: sqlite3.Connection) -> list[Any]:
            return conn.execute(
                "SELECT from_state, to_state, trigger, count(*) FROM handoff_events GROUP BY 1, 2, 3"
            ).fetchall()

        return [(r[0], r[1], r[2], r[3]) for r in await self._run(read)]
