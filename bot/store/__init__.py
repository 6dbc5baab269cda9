"""Store backends: SQLite by default, PostgreSQL for `postgresql://` URLs."""

from __future__ import annotations

import sqlite3

import asyncpg

from bot.store.base import (
    AcceptedEvent,
    ConversationState,
    Job,
    NewJob,
    Store,
    StoreLockedError,
)

# What a backend raises when it cannot do its job: the drivers' own errors (a lost or refused connection, a full
# or locked database, a store not started), and the timeouts and connection failures of asyncpg's sockets.
STORE_ERRORS: tuple[type[BaseException], ...] = (
    sqlite3.Error,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    TimeoutError,
    ConnectionError,
)


def build_store(database_url: str, *, concurrency: int = 8) -> Store:
    """The backend for a `BOT_DATABASE_URL`: `sqlite:///path` or `postgresql://...` (`?schema=name` optional);
    PostgreSQL's connections for intake grow with the conversations worked on at once (BOT_CONCURRENCY)."""
    if database_url.startswith(("postgresql://", "postgres://")):
        from bot.store.postgres import PostgresStore

        return PostgresStore(database_url, concurrency=concurrency)
    if database_url.startswith("sqlite://"):
        from bot.store.sqlite import SQLiteStore

        return SQLiteStore.from_url(database_url)
    raise ValueError("BOT_DATABASE_URL must start with sqlite:/// or postgresql://")


__all__ = [
    "STORE_ERRORS",
    "AcceptedEvent",
    "ConversationState",
    "Job",
    "NewJob",
    "Store",
    "StoreLockedError",
    "build_store",
]
