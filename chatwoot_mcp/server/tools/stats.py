"""chatwoot_handoff_stats: the handoff records' figures, read from the mirror database the bot writes."""

from __future__ import annotations

import sqlite3
import statistics
import time
from collections import Counter
from typing import Annotated

import asyncpg
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from chatwoot_mcp.client.errors import AuthenticationError, ChatwootError, NotFoundError, PermissionDeniedError
from chatwoot_mcp.records.mirror import MirrorURLError, build_mirror
from chatwoot_mcp.records.model import Record
from chatwoot_mcp.records.stats import DAY, daily_figures, day_name, day_start
from chatwoot_mcp.records.texts import TRIGGER_NAMES
from chatwoot_mcp.server.connection import Connection
from chatwoot_mcp.server.registry import tool
from chatwoot_mcp.server.sanitize import clean

READ_ERRORS = (OSError, TimeoutError, sqlite3.Error, asyncpg.PostgresError, asyncpg.InterfaceError)


class DayStats(BaseModel):
    day: str = Field(description="YYYY-MM-DD, UTC")
    to_people: int = Field(description="Conversations the assistant handed to people")
    back_to_bot: int = Field(description="Conversations people handed back to the assistant")
    minutes_with_people_avg: float | None = None
    minutes_with_people_median: float | None = None
    assistant_replies: int = 0
    send_success_rate: float | None = Field(
        None, description="Share of the assistant's replies that Chatwoot accepted, 0..1"
    )
    webhook_ms_p50: float | None = Field(None, description="The bot's webhook acknowledgement time, median, ms")
    webhook_ms_p99: float | None = None
    chatwoot_bot_handoffs: int | None = Field(
        None, description="Chatwoot's own bot_handoffs_count (first bot handoff per conversation); null if unreadable"
    )


class TriggerCount(BaseModel):
    trigger: str
    label: str = Field(description="The trigger in Portuguese")
    count: int


class StatsResult(BaseModel):
    days: list[DayStats]
    to_people: int = Field(description="Total handed to people in the period")
    back_to_bot: int
    why: list[TriggerCount] = Field(description="Why conversations went to people, most frequent first")
    reasons: list[str] = Field(description="The most frequent reason texts (data written by the assistant or agents)")
    minutes_waiting_for_a_person_avg: float | None = Field(
        None, description="From going to people to a person holding it (0 when someone took it at once)"
    )
    minutes_waiting_for_a_person_median: float | None = None
    chatwoot_reports: str = Field(
        description="'ok' when Chatwoot's own bot_handoffs_count is beside ours, else why not (administrators only)"
    )


def waits(records: list[Record]) -> list[float]:
    """Seconds from each handoff to people until a person held the conversation."""
    started: dict[int, float] = {}
    found: list[float] = []
    for record in records:
        if record.from_hands in ("ai", "closed", None) and record.to_hands == "human":
            found.append(0.0)
        elif record.from_hands in ("ai", "closed", None) and record.to_hands == "pending":
            started[record.conversation_id] = record.at
        elif record.from_hands == "pending" and record.to_hands == "human" and record.conversation_id in started:
            found.append(max(0.0, record.at - started.pop(record.conversation_id)))
    return found


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


async def chatwoot_counts(conn: Connection, since: int, until: int) -> tuple[dict[str, int] | None, str]:
    """Chatwoot's own bot_handoffs_count per day (reports v2, administrators only), or None and why not."""
    if conn.missing():
        return None, "Chatwoot is not configured for this server"
    try:
        async with conn.reader() as cw:
            points = await cw.reports.timeseries("bot_handoffs_count", since=since, until=until)
    except (AuthenticationError, PermissionDeniedError):
        return None, "the token may not read Chatwoot's reports (administrators only)"
    except NotFoundError:
        return None, "this Chatwoot has no reports v2 API"
    except ChatwootError as exc:
        return None, f"Chatwoot's reports could not be read ({type(exc).__name__})"
    return {day_name(point.timestamp): int(point.value) for point in points}, "ok"


@tool(
    "chatwoot_handoff_stats",
    title="Handoff statistics",
    toolset="handoff",
    read_only=True,
    destructive=False,
    idempotent=True,
    open_world=False,
)
async def handoff_stats(
    conn: Connection,
    days: Annotated[int, Field(description="Days to cover, today included (UTC); default 7", ge=1, le=90)] = 7,
) -> StatsResult:
    """How many conversations the assistant handed to people and people handed back, per day, why, how long people
        held them and how long customers waited for a person, from the handoff records the bot keeps; also the
    assistant's replies, their send success rate and the bot's webhook latency per day.

        Reads the mirror database in MIRROR_DATABASE_URL (the bot's records); it counts every change of hands, also
        those made in Chatwoot's own screen, unlike Chatwoot's reports (Chatwoot's own bot_handoffs_count is given beside ours when the token is an
    administrator's; chatwoot_reports says why when not). Next: chatwoot_list_conversations with
        status=open to see who waits now.
    """
    url = conn.settings.mirror_database_url
    if url is None:
        raise ToolError(
            "handoff records are not configured for this server: set MIRROR_DATABASE_URL to the bot's mirror "
            "database (sqlite:///<absolute path>/mirror.sqlite3 or its PostgreSQL URL) and restart the server"
        )
    now = time.time()
    try:
        mirror = build_mirror(url.get_secret_value())
    except MirrorURLError as exc:
        raise ToolError(str(exc)) from None
    try:
        figures = await daily_figures(mirror, days=days, now=now)
        records = await mirror.records(since=day_start(now) - DAY * (days - 1), until=day_start(now) + DAY)
    except READ_ERRORS as exc:
        raise ToolError(f"the handoff records could not be read ({type(exc).__name__}); try again later") from None
    finally:
        await mirror.close()
    why: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for day in figures:
        why.update(day.triggers)
    for record in records:
        if record.from_hands == "ai" and record.to_hands != "ai" and record.reason:
            reasons[clean(record.reason, 300)[0]] += 1
    waited = waits(records)
    since = day_start(now) - DAY * (days - 1)
    counts, reports = await chatwoot_counts(conn, since, day_start(now) + DAY)
    return StatsResult(
        days=[
            DayStats(
                day=d.day,
                to_people=d.ai_to_human,
                back_to_bot=d.human_to_ai,
                minutes_with_people_avg=_minutes(d.with_person_avg),
                minutes_with_people_median=_minutes(d.with_person_median),
                assistant_replies=d.assistant_replies,
                send_success_rate=d.send_success_rate,
                webhook_ms_p50=_ms(d.webhook_p50),
                webhook_ms_p99=_ms(d.webhook_p99),
                chatwoot_bot_handoffs=None if counts is None else counts.get(d.day, 0),
            )
            for d in figures
        ],  # fmt: skip
        to_people=sum(d.ai_to_human for d in figures),
        back_to_bot=sum(d.human_to_ai for d in figures),
        why=[TriggerCount(trigger=t, label=TRIGGER_NAMES.get(t, t), count=n) for t, n in why.most_common()],
        reasons=[text for text, _ in reasons.most_common(5)],
        minutes_waiting_for_a_person_avg=_minutes(statistics.fmean(waited)) if waited else None,
        minutes_waiting_for_a_person_median=_minutes(statistics.median(waited)) if waited else None,
        chatwoot_reports=reports,
    )
