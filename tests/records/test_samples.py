"""`bot_samples` holds counts per minute, not one row per webhook, and forgets what is older than its retention."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg
import pytest

from chatwoot_mcp.records.mirror import Mirror, Sample
from chatwoot_mcp.records.mirror_postgres import PostgresMirror, split_schema
from chatwoot_mcp.records.mirror_sqlite import SQLiteMirror
from chatwoot_mcp.records.stats import DAY, daily_figures, day_start
from tests.bot.conftest import pg_schema
from tests.records.conftest import Clock, drain, recorder_for

pytestmark = pytest.mark.anyio


async def test_a_burst_of_acknowledgements_is_stored_as_counts_per_minute_and_millisecond(mirror: Mirror) -> None:
    clock = Clock(day_start(1_780_000_000.0) + 3600)
    rec = recorder_for(mirror, clock)
    for i in range(1000):
        clock.now += 0.01  # all within one minute
        rec.delivered(None, 200, (0.0101, 0.0204, 0.0898)[i % 3])
    rec.delivered(None, 500, 2.0)
    await drain(rec)

    rows = await mirror.samples(0, 2**40)
    assert sorted((r.value, r.ok, r.count) for r in rows) == [
        (0.01, True, 334),
        (0.02, True, 333),
        (0.09, True, 333),
        (2.0, False, 1),
    ]
    [day] = await daily_figures(mirror, days=1, now=clock.now)
    assert (day.webhook_p50, day.webhook_p99) == (pytest.approx(0.02), pytest.approx(0.09))


async def test_samples_older_than_the_retention_are_deleted_and_newer_ones_kept(mirror: Mirror) -> None:
    now = 1_780_000_000.0
    clock = Clock(now - 40 * DAY)
    rec = recorder_for(mirror, clock)  # the default retention: 30 days
    rec.delivered(None, 200, 0.005)
    rec.send_failed()
    await drain(rec)
    clock.now = now - 31 * DAY
    rec.delivered(None, 200, 0.006)
    await drain(rec)
    assert len(await mirror.samples(0, 2**40)) == 3  # nothing was older than 30 days at either flush

    clock.now = now
    rec.delivered(None, 200, 0.007)
    await drain(rec)

    assert [(r.value, r.kind) for r in await mirror.samples(0, 2**40)] == [(0.007, "ack")]
    assert await mirror.prune_samples(now + 1) == 1
    assert await mirror.samples(0, 2**40) == []


OLD_TABLE = "CREATE TABLE bot_samples (at {time} NOT NULL, kind TEXT NOT NULL, value {real}, ok {ok} NOT NULL)"


async def test_a_mirror_made_before_the_counts_gets_the_count_column(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(OLD_TABLE.format(time="REAL", real="REAL", ok="INTEGER"))
        conn.execute("INSERT INTO bot_samples VALUES (60, 'ack', 0.004, 1)")
    conn.close()
    old = SQLiteMirror(path)
    await old.open()
    try:
        await old.add_samples([Sample(120, "ack", 0.004, True, 5)])
        assert [r.count for r in await old.samples(0, 2**40)] == [1, 5]
    finally:
        await old.close()

    async with pg_schema() as url:
        dsn, schema = split_schema(url)
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'CREATE SCHEMA "{schema}"')
            await conn.execute(
                f'SET search_path TO "{schema}"; '
                + OLD_TABLE.format(time="TIMESTAMPTZ", real="DOUBLE PRECISION", ok="BOOLEAN")
            )
        finally:
            await conn.close()
        pg = PostgresMirror(url)
        await pg.open()
        try:
            await pg.add_samples([Sample(120, "ack", 0.004, True, 5)])
            assert [r.count for r in await pg.samples(0, 2**40)] == [5]
        finally:
            await pg.close()
