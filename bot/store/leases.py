"""Per-conversation leases in PostgreSQL, so that several bot processes share one database: a conversation is
worked by the replica holding its lease, which renews it while it lives; a dead replica's leases expire."""

from __future__ import annotations

import os
import socket
import uuid

from bot.store.postgres import SCHEMA_LOCK, STATEMENT_TIMEOUT_SECONDS, PostgresStore

LEASES_SCHEMA = """
CREATE TABLE IF NOT EXISTS leases (
    conversation_id BIGINT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
"""

# One statement decides a claim: the row is locked and its condition re-checked against the newest version, so two
# replicas claiming at once never both win. Expiry is the database's clock, never a replica's.
CLAIM = (
    "INSERT INTO leases (conversation_id, owner, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))"
    " ON CONFLICT (conversation_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at"
    " WHERE leases.expires_at <= now() OR leases.owner = excluded.owner"
    " RETURNING 1"
)
# A lease that expired while nobody claimed it is still ours (the owner changes only on a claim): a renewal that came
# late, behind a busy pool, loses nothing.
RENEW = "UPDATE leases SET expires_at = now() + make_interval(secs => $2) WHERE owner = $1 RETURNING conversation_id"
# Pending work no live lease covers, left alone for longer than its debounce: its replica died or never claimed it.
ORPHANS = (
    "SELECT DISTINCT j.conversation_id FROM jobs j WHERE j.status = 'pending' AND j.created_at < $1"
    " AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.conversation_id = j.conversation_id AND l.expires_at > now())"
    " LIMIT $2"
)


def replica_name() -> str:
    """Who holds a lease, for people reading the table: host, process, and a random part that a restart changes."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class PostgresLeases:
    """The leases of one replica; every call is one statement on the store's pool (a transaction pooler will do)."""

    shared = True

    def __init__(self, store: PostgresStore, *, seconds: float, name: str | None = None) -> None:
        self.store = store
        self.seconds = seconds
        self.name = name or replica_name()

    async def start(self) -> None:
        async with self.store.pool.acquire(timeout=STATEMENT_TIMEOUT_SECONDS) as conn, conn.transaction():
            await conn.execute(SCHEMA_LOCK)
            await conn.execute(LEASES_SCHEMA)

    async def claim(self, conversation_id: int) -> bool:
        """Take the conversation's lease (or extend ours); False while another live replica holds it."""
        return await self.store.pool.fetchval(CLAIM, conversation_id, self.name, self.seconds) is not None

    async def release(self, conversation_id: int) -> None:
        await self.store.pool.execute(
            "DELETE FROM leases WHERE conversation_id = $1 AND owner = $2", conversation_id, self.name
        )

    async def renew(self) -> set[int]:
        """Extend every lease still ours; returns the conversations they cover (one that expired is lost)."""
        rows = await self.store.pool.fetch(RENEW, self.name, self.seconds)
        return {row["conversation_id"] for row in rows}

    async def orphans(self, older_than: float, limit: int = 1000) -> list[int]:
        """Conversations with pending jobs created before `older_than` (Unix seconds) and no live lease."""
        rows = await self.store.pool.fetch(ORPHANS, older_than, limit)
        return [row["conversation_id"] for row in rows]

    async def release_all(self) -> None:
        """On a clean stop: the other replicas may take our conversations at once."""
        await self.store.pool.execute("DELETE FROM leases WHERE owner = $1", self.name)
