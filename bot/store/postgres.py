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
    """Shared durable store; the pool works behind a transaction pooler (no prepared statement cache). Any number of
    bot processes may use it at once: bot/store/leases.py shares the conversations out."""

    name = "postgresql"

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 5) -> None:
        self._dsn, self.schema = split_schema(url)
        self._min_size = min_size
        self._max_size = max_size
        self._pool: asyncpg.Pool | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the PostgreSQL store is not started")
        return self._pool

    async def start(self) -> None:
        if self._pool is not None:
            return
        try:
            await self._open_pool()
        except BaseException:
            await self.close()
            raise

    async def _open_pool(self) -> None:
        self._pool = await asyncpg.create_pool(
            self._dsn,
            min_size=self._min_size,
            max_size=self._max_size,
            statement_cache_size=0,
            # Intake stores before it answers Chatwoot, which gives up after 5 s: a stuck statement must fail
            # fast (the webhook then gets a 500, which Chatwoot retries) rather than hang past that.
            command_timeout=STATEMENT_TIMEOUT_SECONDS,
            server_settings={"search_path": self.schema},
        )
        async with self.pool.acquire(timeout=STATEMENT_TIMEOUT_SECONDS) as conn, conn.transaction():
            await conn.execute(SCHEMA_LOCK)
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            await conn.execute(SCHEMA)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

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
        try:
            await self._accept(event, dedup_keys, job, state, drop_pending_replies)
        except _Duplicate:
            return False
        return True

    async def _accept(
        self,
        event: AcceptedEvent,
        dedup_keys: tuple[str, ...],
        job: NewJob | None,
        state: ConversationState | None,
        drop_pending_replies: bool,
    ) -> None:
        async with self.pool.acquire(timeout=STATEMENT_TIMEOUT_SECONDS) as conn, conn.transaction():
            for key in dedup_keys:
                inserted = await conn.fetchval(
                    "INSERT INTO dedup (key, created_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING 1",
                    key,
                    event.received_at,
                )
                if inserted is None:
                    raise _Duplicate
            await conn.execute(
                "INSERT INTO events (event, conversation_id, message_id, delivery_id, received_at, body)"
                " VALUES ($1, $2, $3, $4, $5, $6)",
                event.event,
                event.conversation_id,
                event.message_id,
                event.delivery_id,
                event.received_at,
                event.body,
            )
            if drop_pending_replies and job is not None:
                await conn.execute(
                    "UPDATE jobs SET status = 'dropped', note = 'a human agent took over'"
                    " WHERE status = 'pending' AND kind = 'reply' AND conversation_id = $1",
                    job.conversation_id,
                )
            if job is not None:
                await conn.execute(
                    "INSERT INTO jobs (kind, conversation_id, message_id, created_at) VALUES ($1, $2, $3, $4)",
                    job.kind,
                    job.conversation_id,
                    job.message_id,
                    job.created_at,
                )
            if state is not None:
                await _put_state(conn, state)

    async def get_state(self, conversation_id: int) -> ConversationState | None:
        row = await self.pool.fetchrow(f"{STATE_SELECT} WHERE conversation_id = $1", conversation_id)
        return None if row is None else _state_from_row(row)

    async def all_states(self, limit: int) -> list[ConversationState] | None:
        rows = await self.pool.fetch(f"{STATE_SELECT} LIMIT $1", limit + 1)
        return [_state_from_row(row) for row in rows] if len(rows) <= limit else None

    async def put_state(self, state: ConversationState) -> None:
        async with self.pool.acquire(timeout=STATEMENT_TIMEOUT_SECONDS) as conn:
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


class _Duplicate(Exception):
    """Raised inside the transaction to roll it back when a dedup key already exists."""


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
