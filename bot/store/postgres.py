"""PostgreSQL backend (asyncpg), e.g. Supabase; `?schema=name` in the URL keeps the tables in one schema."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

from bot.store.base import AcceptedEvent, ConversationState, Job, JobMode, JobStatus, NewJob

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id BIGSERIAL PRIMARY KEY,
    event TEXT NOT NULL,
    conversation_id BIGINT,
    message_id BIGINT,
    delivery_id TEXT,
    received_at DOUBLE PRECISION NOT NULL,
    body BYTEA NOT NULL
);
CREATE TABLE IF NOT EXISTS dedup (
    key TEXT PRIMARY KEY,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    conversation_id BIGINT NOT NULL,
    message_id BIGINT,
    created_at DOUBLE PRECISION NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    mode TEXT NOT NULL DEFAULT 'answer',
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before DOUBLE PRECISION NOT NULL DEFAULT 0,
    last_error TEXT,
    note TEXT
);
CREATE INDEX IF NOT EXISTS jobs_pending ON jobs (status, conversation_id, id);
CREATE TABLE IF NOT EXISTS conversation_state (
    conversation_id BIGINT PRIMARY KEY,
    status TEXT,
    human_active BOOLEAN NOT NULL DEFAULT FALSE,
    limit_handoff_sent BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS outcomes (
    key TEXT PRIMARY KEY,
    conversation_id BIGINT NOT NULL,
    outcome JSONB NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
);
"""

# A retry of a pending job may still need its conversation's outcome, however old.
PRUNE_OUTCOMES = (
    "DELETE FROM outcomes WHERE created_at < $1"
    " AND conversation_id NOT IN (SELECT conversation_id FROM jobs WHERE status = 'pending')"
)

# Intake's write: dedup keys (none seen before, and none inserted meanwhile by another delivery), the event, the
# dropped replies of a takeover, the job and the state, in one atomic statement. Its parts all read the table
# as it was before the statement, so the takeover's UPDATE never drops the job inserted beside it.
ACCEPT = """
WITH unseen AS (
    SELECT NOT EXISTS (SELECT 1 FROM dedup WHERE key = ANY($1::text[])) AS ok
), fresh AS (
    INSERT INTO dedup (key, created_at)
    SELECT key, $2::float8 FROM unnest($1::text[]) AS key, unseen WHERE unseen.ok
    ON CONFLICT (key) DO NOTHING
    RETURNING 1
), go AS (
    SELECT (SELECT ok FROM unseen) AND (SELECT count(*) FROM fresh) = cardinality($1::text[]) AS ok
), event AS (
    INSERT INTO events (event, conversation_id, message_id, delivery_id, received_at, body)
    SELECT $3::text, $4::bigint, $5::bigint, $6::text, $2::float8, $7::bytea FROM go WHERE go.ok
), dropped AS (
    UPDATE jobs SET status = 'dropped', note = 'a human agent took over'
    WHERE $8::boolean AND status = 'pending' AND kind = 'reply' AND conversation_id = $10::bigint
    AND (SELECT ok FROM go)
), job AS (
    INSERT INTO jobs (kind, conversation_id, message_id, created_at)
    SELECT $9::text, $10::bigint, $11::bigint, $12::float8 FROM go WHERE go.ok AND $9::text IS NOT NULL
), state AS (
    INSERT INTO conversation_state (conversation_id, status, human_active, limit_handoff_sent, updated_at)
    SELECT $13::bigint, $14::text, $15::boolean, $16::boolean, $17::float8 FROM go
    WHERE go.ok AND $13::bigint IS NOT NULL
    ON CONFLICT (conversation_id) DO UPDATE SET status = excluded.status, human_active = excluded.human_active,
    limit_handoff_sent = excluded.limit_handoff_sent, updated_at = excluded.updated_at
    WHERE conversation_state.updated_at <= excluded.updated_at
)
SELECT ok FROM go
"""
JOB_COLUMNS = "id, kind, conversation_id, message_id, created_at, status, mode, attempts, not_before, last_error"
SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def split_schema(url: str) -> tuple[str, str]:
    """Take our own `schema` query parameter out of the URL (asyncpg would pass it to the server)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((value for key, value in query if key == "schema"), "public")
    if not SCHEMA_NAME.match(schema):
        raise ValueError("the schema in BOT_DATABASE_URL must be a plain SQL identifier")
    rest = urlencode([(key, value) for key, value in query if key != "schema"])
    return urlunsplit(parts._replace(query=rest)), schema


def describe_database(dsn: str, schema: str) -> str:
    """The database for messages: no password, no query (it may carry one)."""
    parts = urlsplit(dsn)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username}@{host}" if parts.username else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return f"{urlunsplit((parts.scheme, netloc, parts.path, '', ''))} (schema {schema})"


def job_from_record(row: asyncpg.Record) -> Job:
    return Job(
        id=row["id"],
        kind=row["kind"],
        conversation_id=row["conversation_id"],
        message_id=row["message_id"],
        created_at=row["created_at"],
        status=row["status"],
        mode=row["mode"],
        attempts=row["attempts"],
        not_before=row["not_before"],
        last_error=row["last_error"],
    )


STATEMENT_TIMEOUT_SECONDS = 3.0
# Replicas starting together would race in CREATE ... IF NOT EXISTS (a duplicate key in the catalog): one at a time.
SCHEMA_LOCK = "SELECT pg_advisory_xact_lock(hashtext('chatwoot-bot:schema'))"


STATE_SELECT = "SELECT conversation_id, status, human_active, limit_handoff_sent, updated_at FROM conversation_state"


def _state_from_row(row: asyncpg.Record) -> ConversationState:
    return ConversationState(
        row["conversation_id"], row["status"], row["human_active"], row["limit_handoff_sent"], row["updated_at"]
    )


class PostgresStore:
    """Shared durable store; the pools work behind a transaction pooler (no prepared statement cache). Any number of
    bot processes may use it at once: bot/store/leases.py shares the conversations out.

    Intake has connections of its own (`intake_pool`): accepting a webhook, and reading or writing a conversation's
    state, which is done under the lock intake waits for. However many workers queue for the other pool, a
    webhook never waits behind them."""

    name = "postgresql"

    def __init__(self, url: str, *, pool_size: int = 5, concurrency: int = 8) -> None:
        self._dsn, self.schema = split_schema(url)
        self._pool_size = pool_size
        # Webhooks arrive as fast as conversations are worked on; a busy event loop makes each round trip slow,
        # so more of them must be in flight at once.
        self._intake_pool_size = min(32, max(4, concurrency // 8))
        self._pool: asyncpg.Pool | None = None
        self._intake_pool: asyncpg.Pool | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise asyncpg.InterfaceError("the PostgreSQL store is not started")
        return self._pool

    @property
    def intake_pool(self) -> asyncpg.Pool:
        if self._intake_pool is None:
            raise asyncpg.InterfaceError("the PostgreSQL store is not started")
        return self._intake_pool

    async def start(self) -> None:
        if self._pool is not None:
            return
        try:
            await self._open_pool()
        except BaseException:
            await self.close()
            raise

    async def _open_pool(self) -> None:
        self._pool = await self._create_pool(self._pool_size)
        self._intake_pool = await self._create_pool(self._intake_pool_size)
        async with self.pool.acquire(timeout=STATEMENT_TIMEOUT_SECONDS) as conn, conn.transaction():
            await conn.execute(SCHEMA_LOCK)
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            await conn.execute(SCHEMA)

    async def _create_pool(self, size: int) -> asyncpg.Pool:
        return await asyncpg.create_pool(
            self._dsn,
            min_size=1,
            max_size=size,
            statement_cache_size=0,
            # Intake stores before it answers Chatwoot, which gives up after 5 s: a stuck statement must fail
            # fast (the webhook then gets a 500, which Chatwoot retries) rather than hang past that.
            command_timeout=STATEMENT_TIMEOUT_SECONDS,
            server_settings={"search_path": self.schema},
        )

    async def close(self) -> None:
        for pool in (self._intake_pool, self._pool):
            if pool is not None:
                await pool.close()
        self._pool = self._intake_pool = None

    async def ping(self) -> None:
        await self.pool.fetchval("SELECT 1")

    async def accept(
        self,
        event: AcceptedEvent,
        *,
        dedup_keys: tuple[str, ...],
        job: NewJob | None = None,
        state: ConversationState | None = None,
        drop_pending_replies: bool = False,
    ) -> bool:
        # One statement, so one round trip: a webhook's acknowledgement waits for the database once, however busy
        # the process is. Each part is written only when every dedup key was new.
        async with self.intake_pool.acquire(timeout=STATEMENT_TIMEOUT_SECONDS) as conn:
            stored = await conn.fetchval(
                ACCEPT,
                list(dedup_keys),
                event.received_at,
                event.event,
                event.conversation_id,
                event.message_id,
                event.delivery_id,
                event.body,
                drop_pending_replies and job is not None,
                None if job is None else job.kind,
                None if job is None else job.conversation_id,
                None if job is None else job.message_id,
                None if job is None else job.created_at,
                None if state is None else state.conversation_id,
                None if state is None else state.status,
                state is not None and state.human_active,
                state is not None and state.limit_handoff_sent,
                None if state is None else state.updated_at,
            )
        return bool(stored)

    async def get_state(self, conversation_id: int) -> ConversationState | None:
        # Intake reads a state it does not hold in memory before deciding: on intake's own connections.
        async with self.intake_pool.acquire(timeout=STATEMENT_TIMEOUT_SECONDS) as conn:
            row = await conn.fetchrow(f"{STATE_SELECT} WHERE conversation_id = $1", conversation_id)
        return None if row is None else _state_from_row(row)

    async def all_states(self, limit: int) -> list[ConversationState] | None:
        rows = await self.pool.fetch(f"{STATE_SELECT} LIMIT $1", limit + 1)
        return [_state_from_row(row) for row in rows] if len(rows) <= limit else None

    async def put_state(self, state: ConversationState) -> None:
        # Written under the conversation's state lock, which intake waits for: on intake's connections too.
        async with self.intake_pool.acquire(timeout=STATEMENT_TIMEOUT_SECONDS) as conn:
            await _put_state(conn, state)

    async def pending_jobs(self, conversation_id: int | None = None) -> list[Job]:
        if conversation_id is None:
            rows = await self.pool.fetch(f"SELECT {JOB_COLUMNS} FROM jobs WHERE status = 'pending' ORDER BY id")
        else:
            rows = await self.pool.fetch(
                f"SELECT {JOB_COLUMNS} FROM jobs WHERE status = 'pending' AND conversation_id = $1 ORDER BY id",
                conversation_id,
            )
        return [job_from_record(row) for row in rows]

    async def finish_jobs(self, job_ids: list[int], status: JobStatus, note: str | None = None) -> None:
        await self.pool.execute(
            "UPDATE jobs SET status = $1, note = $2 WHERE id = ANY($3::bigint[]) AND status = 'pending'",
            status,
            note,
            job_ids,
        )

    async def fail_jobs(self, job_ids: list[int], *, error: str, mode: JobMode, not_before: float) -> None:
        await self.pool.execute(
            "UPDATE jobs SET attempts = attempts + 1, last_error = $1, mode = $2, not_before = $3"
            " WHERE id = ANY($4::bigint[]) AND status = 'pending'",
            error,
            mode,
            not_before,
            job_ids,
        )

    async def save_outcome(
        self, key: str, *, conversation_id: int, outcome: dict[str, Any], created_at: float
    ) -> dict[str, Any]:
        async with self.pool.acquire(timeout=STATEMENT_TIMEOUT_SECONDS) as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO outcomes (key, conversation_id, outcome, created_at) VALUES ($1, $2, $3::jsonb, $4)"
                " ON CONFLICT (key) DO NOTHING",
                key,
                conversation_id,
                json.dumps(outcome, ensure_ascii=False),
                created_at,
            )
            stored = await conn.fetchval("SELECT outcome::text FROM outcomes WHERE key = $1", key)
        return dict(json.loads(stored))

    async def get_outcome(self, key: str) -> dict[str, Any] | None:
        stored = await self.pool.fetchval("SELECT outcome::text FROM outcomes WHERE key = $1", key)
        return None if stored is None else dict(json.loads(stored))

    async def prune(self, before: float) -> int:
        deleted = 0
        async with self.pool.acquire(timeout=STATEMENT_TIMEOUT_SECONDS) as conn, conn.transaction():
            for statement in (
                "DELETE FROM events WHERE received_at < $1",
                "DELETE FROM dedup WHERE created_at < $1",
                "DELETE FROM jobs WHERE status != 'pending' AND created_at < $1",
                PRUNE_OUTCOMES,
            ):
                status = await conn.execute(statement, before)
                deleted += int(status.split()[-1])
        return deleted

    async def count_jobs(self, status: JobStatus | None = None) -> int:
        if status is None:
            return int(await self.pool.fetchval("SELECT count(*) FROM jobs"))
        return int(await self.pool.fetchval("SELECT count(*) FROM jobs WHERE status = $1", status))

    async def count_events(self) -> int:
        return int(await self.pool.fetchval("SELECT count(*) FROM events"))


async def _put_state(conn: asyncpg.Connection, state: ConversationState) -> None:
    await conn.execute(
        "INSERT INTO conversation_state (conversation_id, status, human_active, limit_handoff_sent, updated_at)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (conversation_id) DO UPDATE SET status = excluded.status,"
        " human_active = excluded.human_active, limit_handoff_sent = excluded.limit_handoff_sent,"
        # A state built from an older conversation never replaces a newer one (another replica's intake wrote it).
        " updated_at = excluded.updated_at WHERE conversation_state.updated_at <= excluded.updated_at",
        state.conversation_id,
        state.status,
        state.human_active,
        state.limit_handoff_sent,
        state.updated_at,
    )
