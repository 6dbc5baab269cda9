"""The SQLite store's tables and the SQL its calls share."""

from __future__ import annotations

from typing import Any

from bot.store.base import Job

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
STATE_SELECT = "SELECT conversation_id, status, human_active, limit_handoff_sent, updated_at FROM conversation_state"
STATE_UPSERT = (
    "INSERT INTO conversation_state (conversation_id, status, human_active, limit_handoff_sent, updated_at)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (conversation_id) DO UPDATE SET status = excluded.status,"
    " human_active = excluded.human_active, limit_handoff_sent = excluded.limit_handoff_sent,"
    " updated_at = excluded.updated_at"
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
