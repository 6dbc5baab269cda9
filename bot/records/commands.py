"""`chatwoot-bot mirror --backfill [--since DATE]` and `chatwoot-bot stats [--days 7] [--json]`, and the
demo's closing figures."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TextIO

import httpx2
from prometheus_client.parser import text_string_to_metric_families

from bot.records.backfill import backfill
from bot.records.wiring import mirror_url
from bot.settings import BotSettings, load_bot_settings
from chatwoot_mcp.client import ChatwootClient
from chatwoot_mcp.client.errors import (
    AuthenticationError,
    ChatwootError,
    NotFoundError,
    PermissionDeniedError,
)
from chatwoot_mcp.config import ConfigError
from chatwoot_mcp.records import texts
from chatwoot_mcp.records.mirror import (
    Mirror,
    MirrorURLError,
    build_mirror,
    describe_url,
)
from chatwoot_mcp.records.stats import (
    DAY,
    DayFigures,
    as_json,
    daily_figures,
    day_name,
    render_table,
)

COMMANDS = ("mirror", "stats")


def parse_day(text: str) -> float:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC).timestamp()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-06-17") from None


def day_count(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 366:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days from 1 to 366")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatwoot-bot", description="Handoff records: mirror and daily figures")
    sub = parser.add_subparsers(dest="command", required=True)
    mirror = sub.add_parser("mirror", help="heal the mirror from Chatwoot's API")
    mirror.add_argument("--backfill", action="store_true", required=True, help="read the API and fill the gaps")
    mirror.add_argument("--since", type=parse_day, help="only conversations active since this day (YYYY-MM-DD, UTC)")
    stats = sub.add_parser("stats", help="handoffs and replies per day")
    stats.add_argument("--days", type=day_count, default=7, metavar="N", help="days, today included (1-366)")
    stats.add_argument("--json", action="store_true", help="JSON instead of a table")
    return parser


def records_main(argv: Sequence[str], environ: Mapping[str, str]) -> int:
    args = build_parser().parse_args(list(argv))
    try:
        settings = load_bot_settings(environ)
        url = mirror_url(settings)
        if url is None:
            raise ConfigError("the mirror is off (MIRROR_DATABASE_URL=off)")
        mirror = build_mirror(url)
    except (ConfigError, MirrorURLError, ValueError) as exc:
        print(f"chatwoot-bot: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "mirror":
            settings.chatwoot.require_chatwoot()
            return asyncio.run(run_backfill(settings, mirror, args.since))
        return asyncio.run(run_stats(settings, mirror, args.days, args.json, sys.stdout))
    except ConfigError as exc:
        print(f"chatwoot-bot: {exc}", file=sys.stderr)
        return 2
    except (OSError, ChatwootError) as exc:
        print(f"chatwoot-bot: {type(exc).__name__}: {exc} ({describe_url(url)})", file=sys.stderr)
        return 1


def _client(settings: BotSettings) -> ChatwootClient:
    chatwoot = settings.chatwoot
    assert chatwoot.chatwoot_url and chatwoot.api_token and chatwoot.account_id
    return ChatwootClient(chatwoot.chatwoot_url, chatwoot.api_token, chatwoot.account_id)


async def run_backfill(settings: BotSettings, mirror: Mirror, since: float | None) -> int:
    try:
        async with _client(settings) as client:
            report = await backfill(client, mirror, since=since, now=time.time())
    finally:
        await mirror.close()
    print(json.dumps({"conversations": report.conversations, "records": report.records, "messages": report.messages}))
    return 0


async def chatwoot_handoffs(settings: BotSettings, since: int, until: int) -> tuple[dict[str, int] | None, str | None]:
    """Chatwoot's own bot_handoffs_count per day, or None and why it could not be read."""
    if (
        settings.chatwoot.chatwoot_url is None
        or settings.chatwoot.api_token is None
        or settings.chatwoot.account_id is None
    ):
        return None, texts.REPORTS_UNREACHABLE.format(error="Chatwoot não configurado")
    try:
        async with _client(settings) as client:
            points = await client.reports.timeseries("bot_handoffs_count", since=since, until=until)
    except (AuthenticationError, PermissionDeniedError):
        return None, texts.REPORTS_FORBIDDEN
    except NotFoundError:
        return None, texts.REPORTS_MISSING
    except ChatwootError as exc:
        return None, texts.REPORTS_UNREACHABLE.format(error=type(exc).__name__)
    return {day_name(point.timestamp): int(point.value) for point in points}, None


async def collect(settings: BotSettings, mirror: Mirror, days: int, now: float) -> tuple[list[DayFigures], str | None]:
    try:
        figures = await daily_figures(mirror, days=days, now=now)
    finally:
        await mirror.close()
    since = int(now // DAY * DAY) - DAY * (days - 1)
    counts, why = await chatwoot_handoffs(settings, since, int(now // DAY * DAY) + DAY)
    if counts is not None:
        for day in figures:
            day.chatwoot_bot_handoffs = counts.get(day.day, 0)
    return figures, why


async def run_stats(settings: BotSettings, mirror: Mirror, days: int, as_json_output: bool, out: TextIO) -> int:
    now = time.time()
    figures, why = await collect(settings, mirror, days, now)
    if as_json_output:
        out.write(json.dumps({"days": as_json(figures), "chatwoot_reports": why or "ok"}, ensure_ascii=False) + "\n")
        return 0
    out.write(texts.TITLE.format(days=days, until=day_name(now)) + "\n\n")
    out.write(render_table(figures, show_chatwoot=why is None) + "\n")
    out.write("\n" + (texts.NO_REPORTS.format(why=why) if why else texts.CHATWOOT_COUNTS_NOTE) + "\n")
    return 0


def wait_for_records(metrics_url: str, timeout: float = 5.0) -> None:
    """Until the running bot has written what it recorded (its /metrics says none wait), at most `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            text = httpx2.get(metrics_url, timeout=2).text
        except httpx2.HTTPError:
            return
        waiting = [s.value for f in text_string_to_metric_families(text) for s in f.samples
                   if s.name == "chatwoot_bot_records_waiting"]  # fmt: skip
        if not waiting or waiting[0] == 0:
            return
        time.sleep(0.1)


def print_day_figures(environ: Mapping[str, str], *, out: TextIO = sys.stdout) -> None:
    """Today's figures from the mirror of the bot configured by `environ`, for the end of `make demo`."""
    settings = load_bot_settings(environ)
    url = mirror_url(settings)
    if url is None:
        return
    wait_for_records(f"http://{settings.host}:{settings.port}/metrics")
    figures, why = asyncio.run(collect(settings, build_mirror(url), 1, time.time()))
    out.write(f"\n{texts.DAY_FIGURES_TITLE}\n" + render_table(figures, show_chatwoot=why is None) + "\n")
    if why:
        out.write(texts.NO_REPORTS.format(why=why) + "\n")
    out.flush()
