"""The mirror on PostgreSQL or Supabase (asyncpg): the same tables as SQLite, in `?schema=` when given.

A team that already has the design document's `conversations` table runs `migrations/001_handoff_records.sql`
first; the sync then writes into that table (rows are found by `chatwoot_conversation_id`, which the design
indexes but does not make unique, so each conversation's read-decide-write holds an advisory lock)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

from chatwoot_mcp.records.ledger import Decision, decide
from chatwoot_mcp.records.mirror import CustomerRow, MessageRow, Sample
from chatwoot_mcp.records.model import Observation, Record, State
from chatwoot_mcp.records.rows import dt, handoff_status, record_from, state_from, ts

SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
TIMEOUT = 5.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS customers (
    id BIGSERIAL PRIMARY KEY,
    chatwoot_contact_id INTEGER UNIQUE,
    name TEXT, email TEXT, phone TEXT
);
CREATE TABLE IF NOT EXISTS conversations (
    id BIGSERIAL PRIMARY KEY,
    chatwoot_conversation_id INTEGER,
    status VARCHAR,
    assigned_to INTEGER,
    handoff_status VARCHAR DEFAULT 'ai',
    handoff_at TIMESTAMPTZ,
    handoff_reason TEXT,
    hands VARCHAR CHECK (hands IN ('ai', 'human', 'pending', 'closed')),
    chatwoot_updated_at DOUBLE PRECISION,
    created_at TIMESTAMPTZ DEFAULT now(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT chk_handoff_status CHECK (handoff_status IN ('ai', 'human', 'pending'))
);
CREATE INDEX IF NOT EXISTS idx_conversations_chatwoot_id ON conversations(chatwoot_conversation_id);
CREATE INDEX IF NOT EXISTS idx_conversations_handoff_status ON conversations(handoff_status) WHERE deleted_at IS NULL;
CREATE TABLE IF NOT EXISTS messages (
    id BIGSERIAL PRIMARY KEY,
    chatwoot_message_id INTEGER UNIQUE,
    chatwoot_conversation_id INTEGER,
    sender_type VARCHAR CHECK (sender_type IN ('customer', 'ai', 'human')),
    content TEXT,
    created_at TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS idx_messages_created_at ON messages(created_at);
CREATE TABLE IF NOT EXISTS handoff_events (
    id BIGSERIAL PRIMARY KEY,
    chatwoot_conversation_id INTEGER NOT NULL,
    from_state VARCHAR,
    to_state VARCHAR NOT NULL CHECK (to_state IN ('ai', 'human', 'pending', 'closed')),
    at TIMESTAMPTZ NOT NULL,
    trigger VARCHAR NOT NULL,
    reason TEXT,
    who_type VARCHAR,
    who_id INTEGER,
    source VARCHAR NOT NULL,
    held_seconds DOUBLE PRECISION,
    recorded_at TIMESTAMPTZ DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_handoff_events_conversation ON handoff_events(chatwoot_conversation_id, id);
CREATE INDEX IF NOT EXISTS idx_handoff_events_at ON handoff_events(at);
CREATE TABLE IF NOT EXISTS bot_samples (
    at TIMESTAMPTZ NOT NULL, kind VARCHAR NOT NULL, value DOUBLE PRECISION, ok BOOLEAN NOT NULL,
    count INTEGER NOT NULL DEFAULT 1
);
ALTER TABLE bot_samples ADD COLUMN IF NOT EXISTS count INTEGER NOT NULL DEFAULT 1;
CREATE INDEX IF NOT EXISTS idx_bot_samples_at ON bot_samples(at);
"""

RECORD_COLUMNS = (
    "id, chatwoot_conversation_id, from_state, to_state, at, trigger, source, reason, who_type, who_id, held_seconds"
)
STATE_COLUMNS = "hands, chatwoot_updated_at, handoff_at, status, assigned_to, handoff_reason, handoff_status"
MESSAGES_UPSERT = (
    "INSERT INTO messages (chatwoot_message_id, chatwoot_conversation_id, sender_type, content, created_at) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (chatwoot_message_id) DO UPDATE SET content = excluded.content"
)
CUSTOMERS_UPSERT = (
    "INSERT INTO customers (chatwoot_contact_id, name, email, phone) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (chatwoot_contact_id) DO UPDATE SET name = excluded.name, email = excluded.email, "
    "phone = excluded.phone"
)
SAMPLES_INSERT = "INSERT INTO bot_samples (at, kind, value, ok, count) VALUES ($1, $2, $3, $4, $5)"


def split_schema(url: str) -> tuple[str, str]:
    """Take our `schema` query parameter out of the URL (asyncpg would send it to the server)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    schema = next((value for key, value in query if key == "schema"), "public")
    if not SCHEMA_NAME.match(schema):
        raise ValueError("the schema in MIRROR_DATABASE_URL must be a plain SQL identifier")
    rest = urlencode([(key, value) for key, value in query if key != "schema"])
    return urlunsplit(parts._replace(query=rest)), schema


class PostgresMirror:
    name = "postgresql"

    def __init__(self, url: str) -> None:
        self._dsn, self.schema = split_schema(url)
        self._lock_class = int.from_bytes(hashlib.sha256(f"records:{self.schema}".encode()).digest()[:4], "big") >> 1
        self._pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        if self._pool is not None:
            return
        pool = await asyncpg.create_pool(
            self._dsn,
            min_size=0,
            max_size=2,
            timeout=TIMEOUT,
            command_timeout=TIMEOUT,
            server_settings={"search_path": self.schema},
        )
        try:
            async with pool.acquire() as conn:
                await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
                await conn.execute(SCHEMA)
        except BaseException:
            await pool.close()
            raise
        self._pool = pool

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def _pool_ready(self) -> asyncpg.Pool:
        if self._pool is None:
            await self.open()
        assert self._pool is not None
        return self._pool

    async def apply(self, obs: Observation) -> Decision:
        return (await self.apply_all([obs]))[0]

    async def apply_all(self, observations: list[Observation]) -> list[Decision]:
        """Each report in turn, all in one transaction."""
        if not observations:
            return []
        pool = await self._pool_ready()
        async with pool.acquire() as conn, conn.transaction():
            return [await self._apply(conn, obs) for obs in observations]

    async def write_batch(
        self,
        observations: list[Observation],
        customers: list[CustomerRow],
        messages: list[MessageRow],
        samples: list[Sample],
    ) -> list[Decision]:
        """Everything the recorder has gathered, in one transaction."""
        pool = await self._pool_ready()
        async with pool.acquire() as conn, conn.transaction():
            decisions = [await self._apply(conn, obs) for obs in observations]
            if customers:
                await conn.executemany(
                    CUSTOMERS_UPSERT, [(r.chatwoot_contact_id, r.name, r.email, r.phone) for r in customers]
                )
            if messages:
                await conn.executemany(MESSAGES_UPSERT, [(r.chatwoot_message_id, r.chatwoot_conversation_id, r.sender_type,
                                                          r.content, dt(r.created_at)) for r in messages])  # fmt: skip
            if samples:
                await conn.executemany(SAMPLES_INSERT, [(dt(r.at), r.kind, r.value, r.ok, r.count) for r in samples])
        return decisions

    async def _apply(self, conn: Any, obs: Observation) -> Decision:
        cid = obs.conversation_id
        await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", self._lock_class, cid)
        row = await conn.fetchrow(
            f"SELECT {STATE_COLUMNS} FROM conversations WHERE chatwoot_conversation_id = $1 ORDER BY id LIMIT 1",
            cid,
        )
        latest = await conn.fetchrow(
            f"SELECT {RECORD_COLUMNS} FROM handoff_events WHERE chatwoot_conversation_id = $1 ORDER BY id DESC LIMIT 1",
            cid,
        )
        decision = decide(state_from(row), record_from(latest), obs)
        if decision.state is not None:
            s = decision.state
            values = (cid, s.status, s.assigned_to, handoff_status(s.hands, row["handoff_status"] if row else None),
                      dt(s.handoff_at), s.reason, s.hands, s.chatwoot_updated_at)  # fmt: skip
            done = await conn.execute(
                "UPDATE conversations SET status = $2, assigned_to = $3, handoff_status = $4, handoff_at = $5, "
                "handoff_reason = $6, hands = $7, chatwoot_updated_at = $8 WHERE chatwoot_conversation_id = $1",
                *values,
            )
            if done == "UPDATE 0":
                await conn.execute(
                    "INSERT INTO conversations (chatwoot_conversation_id, status, assigned_to, handoff_status, "
                    "handoff_at, handoff_reason, hands, chatwoot_updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    *values,
                )
        record = decision.record
        if record is not None and record.id is None:
            new_id = await conn.fetchval(
                "INSERT INTO handoff_events (chatwoot_conversation_id, from_state, to_state, at, trigger, reason, "
                "who_type, who_id, source, held_seconds) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
                "RETURNING id",
                cid, record.from_hands, record.to_hands, dt(record.at), record.trigger, record.reason,
                record.who_type, record.who_id, record.source, record.held_seconds,
            )  # fmt: skip
            decision = replace(decision, record=replace(record, id=new_id))
        elif record is not None:
            await conn.execute(
                "UPDATE handoff_events SET to_state = $2, trigger = $3, reason = $4, who_type = $5, who_id = $6, "
                "held_seconds = $7 WHERE id = $1",
                record.id, record.to_hands, record.trigger, record.reason, record.who_type, record.who_id,
                record.held_seconds,
            )  # fmt: skip
        return decision

    async def upsert_messages(self, rows: list[MessageRow]) -> None:
        if not rows:
            return
        pool = await self._pool_ready()
        await pool.executemany(
            "INSERT INTO messages (chatwoot_message_id, chatwoot_conversation_id, sender_type, content, created_at) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (chatwoot_message_id) DO UPDATE SET content = excluded.content",
            [
                (r.chatwoot_message_id, r.chatwoot_conversation_id, r.sender_type, r.content, dt(r.created_at))
                for r in rows
            ],
        )

    async def upsert_customers(self, rows: list[CustomerRow]) -> None:
        if not rows:
            return
        pool = await self._pool_ready()
        await pool.executemany(
            "INSERT INTO customers (chatwoot_contact_id, name, email, phone) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (chatwoot_contact_id) DO UPDATE SET name = excluded.name, email = excluded.email, "
            "phone = excluded.phone",
            [(r.chatwoot_contact_id, r.name, r.email, r.phone) for r in rows],
        )

    async def add_samples(self, rows: list[Sample]) -> None:
        if not rows:
            return
        pool = await self._pool_ready()
        await pool.executemany(SAMPLES_INSERT, [(dt(r.at), r.kind, r.value, r.ok, r.count) for r in rows])

    async def prune_samples(self, before: float) -> int:
        pool = await self._pool_ready()
        status = await pool.execute("DELETE FROM bot_samples WHERE at < $1", dt(before))
        return int(status.split()[-1])  # "DELETE n"

    async def state(self, conversation_id: int) -> State | None:
        pool = await self._pool_ready()
        row = await pool.fetchrow(
            f"SELECT {STATE_COLUMNS} FROM conversations WHERE chatwoot_conversation_id = $1 ORDER BY id LIMIT 1",
            conversation_id,
        )
        return state_from(row)

    async def records(
        self, conversation_id: int | None = None, since: float = 0.0, until: float = 2**62
    ) -> list[Record]:
        pool = await self._pool_ready()
        args: list[Any] = [dt(since), dt(until)]
        where = "at >= $1 AND at < $2"
        if conversation_id is not None:
            where += " AND chatwoot_conversation_id = $3"
            args.append(conversation_id)
        rows = await pool.fetch(f"SELECT {RECORD_COLUMNS} FROM handoff_events WHERE {where} ORDER BY id", *args)
        return [r for r in map(record_from, rows) if r is not None]

    async def samples(self, since: float, until: float) -> list[Sample]:
        pool = await self._pool_ready()
        rows = await pool.fetch(
            "SELECT at, kind, value, ok, count FROM bot_samples WHERE at >= $1 AND at < $2 ORDER BY at",
            dt(since), dt(until),
        )  # fmt: skip
        return [Sample(ts(r["at"]) or 0.0, r["kind"], r["value"], r["ok"], r["count"]) for r in rows]

    async def message_counts(self, since: float, until: float) -> dict[str, int]:
        pool = await self._pool_ready()
        rows = await pool.fetch(
            "SELECT sender_type::text AS sender_type, count(*) AS n FROM messages "
            "WHERE created_at >= $1 AND created_at < $2 GROUP BY 1",
            dt(since), dt(until),
        )  # fmt: skip
        return {r["sender_type"]: r["n"] for r in rows}

    async def change_counts(self) -> list[tuple[str | None, str, str, int]]:
        """(from, to, trigger, records) over every record."""
        pool = await self._pool_ready()
        rows = await pool.fetch("SELECT from_state, to_state, trigger, count(*) FROM handoff_events GROUP BY 1, 2, 3")
        return [(r[0], r[1], r[2], r[3]) for r in rows]
