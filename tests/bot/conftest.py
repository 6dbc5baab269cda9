"""Fixtures of the bot core tests: stores on both backends, bot settings against the sandbox."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx2
import pytest

from bot.store import Store
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SQLiteStore
from tests.bot.harness import Chatwoot
from tests.conftest import Sandbox
from tests.fakes.openai_server import FakeOpenAI

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_URL = os.environ.get("BOT_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


async def postgres_or_skip() -> None:
    try:
        conn = await asyncpg.connect(PG_URL, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        message = f"PostgreSQL is not reachable at BOT_TEST_DATABASE_URL ({type(exc).__name__})"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    await conn.close()


@asynccontextmanager
async def pg_schema() -> AsyncIterator[str]:
    """A PostgreSQL URL with a schema of its own, dropped afterwards."""
    await postgres_or_skip()
    schema = f"bot_test_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}schema={schema}"
    finally:
        conn = await asyncpg.connect(PG_URL, timeout=5)
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """A started store, on each backend in turn."""
    if request.param == "sqlite":
        backend: Store = SQLiteStore(tmp_path / "bot.sqlite3")
        await backend.start()
        try:
            yield backend
        finally:
            await backend.close()
        return
    async with pg_schema() as url:
        backend = PostgresStore(url)
        await backend.start()
        try:
            yield backend
        finally:
            await backend.close()


@pytest.fixture
async def chatwoot(sandbox: Sandbox) -> AsyncIterator[Chatwoot]:
    """The sandbox as the tests' customers and agents reach it (modules needing other limits define their own)."""
    async with httpx2.AsyncClient(timeout=10) as http:
        yield Chatwoot(sandbox, http)


# The responder tests' fake model: one server per module, emptied before each test.
@pytest.fixture(scope="module")
def brain_fake_server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def fake(brain_fake_server: FakeOpenAI) -> FakeOpenAI:
    brain_fake_server.reset()
    return brain_fake_server
