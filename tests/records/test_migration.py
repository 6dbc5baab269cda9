"""The migration on a database shaped like the design document's (conversations, messages with the
`message_sender_type` enum, customers), then the mirror writing into those tables."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from bot.metrics import BotMetrics
from bot.records.recorder import Recorder
from chatwoot_mcp.records.mirror_postgres import PostgresMirror, split_schema
from tests.bot.conftest import pg_schema
from tests.records.conftest import Clock, body, conversation, drain, message

pytestmark = pytest.mark.anyio

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "001_handoff_records.sql"
# The team's tables before the migration: Supabase-style uuid keys, the design's enum without 'human'.
DESIGN_TABLES = """
CREATE TYPE message_sender_type AS ENUM ('customer', 'ai');
CREATE TABLE customers (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(), name TEXT, email TEXT, phone TEXT,
    created_at TIMESTAMPTZ DEFAULT now()
);
CREATE TABLE conversations (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id UUID REFERENCES customers(id),
    status VARCHAR DEFAULT 'open',
    assigned_to INTEGER,
    created_at TIMESTAMPTZ DEFAULT now(), updated_at TIMESTAMPTZ DEFAULT now(), deleted_at TIMESTAMPTZ
);
CREATE TABLE messages (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id UUID REFERENCES conversations(id),
    sender_type message_sender_type NOT NULL,
    content TEXT,
    created_at TIMESTAMPTZ DEFAULT now()
);
INSERT INTO conversations (status) VALUES ('open');
"""


async def test_the_migration_adds_the_design_columns_and_the_mirror_writes_into_that_table() -> None:
    async with pg_schema() as url:
        dsn, schema = split_schema(url)
        conn = await asyncpg.connect(dsn, server_settings={"search_path": schema})
        try:
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            await conn.execute(DESIGN_TABLES)
            await conn.execute(MIGRATION.read_text())
            columns = {r["column_name"]: r["data_type"] for r in await conn.fetch(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = $1 AND table_name = 'conversations'", schema)}  # fmt: skip
            assert {"chatwoot_conversation_id": "integer", "handoff_status": "character varying",
                    "handoff_at": "timestamp with time zone", "handoff_reason": "text"}.items() <= columns.items()  # fmt: skip
            indexes = {
                r["indexname"]
                for r in await conn.fetch("SELECT indexname FROM pg_indexes WHERE schemaname = $1", schema)
            }
            assert {"idx_conversations_chatwoot_id", "idx_conversations_handoff_status"} <= indexes
            assert await conn.fetchval("SELECT handoff_status FROM conversations") == "ai"  # the design's default
            with pytest.raises(asyncpg.CheckViolationError):
                await conn.execute("UPDATE conversations SET handoff_status = 'bot'")
            labels = [r[0] for r in await conn.fetch("SELECT unnest(enum_range(NULL::message_sender_type))::text")]
            assert labels == ["customer", "ai", "human"]
        finally:
            await conn.close()

        mirror = PostgresMirror(url)
        recorder = Recorder(mirror, BotMetrics(), clock=Clock())
        try:
            await mirror.open()  # its CREATE ... IF NOT EXISTS leave the team's tables as they are
            t = 1_780_000_000.0
            recorder.delivered(body(conversation(31, "pending", updated_at=t, event="conversation_created")), 200, 0.01)
            recorder.delivered(body(message(31, 900, status="pending", updated_at=t + 1)), 200, 0.01)
            recorder.delivered(body(message(31, 901, status="pending", updated_at=t + 2, kind="outgoing",
                                            sender={"id": 3, "type": "user"}, content="Sou a Ana")), 200, 0.01)  # fmt: skip
            await drain(recorder)
        finally:
            await mirror.close()
        conn = await asyncpg.connect(dsn, server_settings={"search_path": schema})
        try:
            row = await conn.fetchrow("SELECT status, handoff_status, handoff_at, hands FROM conversations "
                                      "WHERE chatwoot_conversation_id = 31")  # fmt: skip
            assert row is not None and row["handoff_status"] == "human" and row["hands"] == "human"
            assert row["handoff_at"] is not None
            assert await conn.fetchval("SELECT count(*) FROM conversations") == 2  # the team's own row is untouched
            senders = [
                r[0] for r in await conn.fetch("SELECT sender_type::text FROM messages ORDER BY chatwoot_message_id")
            ]
            assert senders == ["customer", "human"]
            assert await conn.fetchval("SELECT count(*) FROM customers WHERE chatwoot_contact_id = 42") == 1
            events = await conn.fetch("SELECT from_state, to_state, trigger FROM handoff_events")
            assert [tuple(e) for e in events] == [("ai", "human", "person_replied")]
        finally:
            await conn.close()
