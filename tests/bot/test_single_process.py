"""SQLite serves one bot process: a second store on the same file refuses to start, and so does the
command; PostgreSQL serves any number."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.store import StoreLockedError, build_store
from bot.store.base import AcceptedEvent, NewJob
from tests.bot.conftest import pg_schema
from tests.conftest import REPO

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path}/bot.sqlite3"
        return
    async with pg_schema() as url:
        yield url.replace("postgresql://postgres@", "postgresql://postgres:s3cr3t-pw@")


async def test_a_second_sqlite_store_on_the_same_file_refuses_to_start_until_the_first_closes(tmp_path: Path) -> None:
    async with database_url("sqlite", tmp_path) as url:
        first, second = build_store(url), build_store(url)
        await first.start()
        try:
            with pytest.raises(StoreLockedError) as caught:
                await second.start()
            message = str(caught.value)
            assert message.startswith("another chatwoot-bot process is using ")
            assert "a SQLite database serves one bot process" in message and "PostgreSQL" in message
            assert "bot.sqlite3" in message
            # The refused store holds nothing and the first keeps working.
            with pytest.raises(sqlite3.ProgrammingError, match="not started"):
                await second.pending_jobs()
            event = AcceptedEvent("message_created", 7, 1, None, 1.0, b"{}")
            assert await first.accept(event, dedup_keys=("m:1",), job=NewJob("reply", 7, 1, 1.0))
        finally:
            await first.close()
        await second.start()
        try:
            assert [job.message_id for job in await second.pending_jobs()] == [1]
            await second.start()  # already started: nothing happens
            await second.ping()
        finally:
            await second.close()


async def test_several_postgresql_stores_start_together_on_one_schema_and_share_its_rows(tmp_path: Path) -> None:
    async with database_url("postgresql", tmp_path) as url:
        stores = [build_store(url) for _ in range(4)]
        # Started at once: creating the tables is serialised, not a race in the catalog.
        await asyncio.gather(*(store.start() for store in stores))
        try:
            event = AcceptedEvent("message_created", 7, 1, None, 1.0, b"{}")
            assert await stores[0].accept(event, dedup_keys=("m:1",), job=NewJob("reply", 7, 1, 1.0))
            assert not await stores[1].accept(event, dedup_keys=("m:1",), job=NewJob("reply", 7, 1, 1.0))
            for store in stores:
                await store.ping()
                assert [job.message_id for job in await store.pending_jobs()] == [1]
        finally:
            for store in stores:
                await store.close()


@pytest.mark.parametrize("route", ["same path", "symlink", "hard link", "symlinked folder"])
def test_the_command_exits_with_status_2_when_another_bot_holds_the_database(tmp_path: Path, route: str) -> None:
    held = tmp_path / "data" / "bot.sqlite3"
    held.parent.mkdir()
    held.touch()
    db = held
    if route == "symlink":
        db = tmp_path / "other-name.sqlite3"
        db.symlink_to(held)
    elif route == "hard link":
        (tmp_path / "elsewhere").mkdir()
        db = tmp_path / "elsewhere" / "bot.sqlite3"
        os.link(held, db)
    elif route == "symlinked folder":
        (tmp_path / "alias").symlink_to(held.parent)
        db = tmp_path / "alias" / "bot.sqlite3"
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(held)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            env = {key: value for key, value in os.environ.items() if not key.startswith(("CHATWOOT_", "BOT_"))}
            env |= {
                "CHATWOOT_URL": "http://127.0.0.1:9",
                "CHATWOOT_API_TOKEN": "token-that-must-not-leak",
                "CHATWOOT_ACCOUNT_ID": "1",
                "BOT_DATABASE_URL": f"sqlite:///{db}",
                "BOT_PORT": "0",
                "PYTHONPATH": str(REPO),
            }
            result = subprocess.run(
                [sys.executable, "-m", "bot"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
            )
        finally:
            holder.kill()
    assert result.returncode == 2, result.stderr
    assert f"chatwoot-bot: another chatwoot-bot process is using {db}; a SQLite database serves one bot process" in (
        result.stderr
    )
    assert "any number of bot processes share one database" in result.stderr
    assert "Traceback" not in result.stderr and "token-that-must-not-leak" not in result.stderr


# A second process holding the store open, as a running bot would.
HOLD_LOCK = """
import sys, anyio
from bot.store.sqlite import SQLiteStore

async def main() -> None:
    store = SQLiteStore(sys.argv[1])
    await store.start()
    print("locked", flush=True)
    await anyio.sleep_forever()

anyio.run(main)
"""


def test_the_command_says_in_one_line_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CHATWOOT_", "BOT_"))}
    env |= {
        "CHATWOOT_URL": "http://127.0.0.1:9",
        "CHATWOOT_API_TOKEN": "t",
        "CHATWOOT_ACCOUNT_ID": "1",
        "BOT_DATABASE_URL": "postgresql://postgres:s3cr3t-pw@127.0.0.1:9/test",
        "PYTHONPATH": str(REPO),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "chatwoot-bot: cannot open the postgresql store: " in result.stderr
    assert "Traceback" not in result.stderr and "s3cr3t-pw" not in result.stderr
