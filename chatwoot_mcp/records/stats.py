"""Daily figures from the handoff records: handoffs each way, time with a person, send success, webhook latency,
the assistant's replies, and Chatwoot's own `bot_handoffs_count` beside ours when it may be read."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from chatwoot_mcp.records import texts
from chatwoot_mcp.records.mirror import Mirror
from chatwoot_mcp.records.model import Record, direction

DAY = 86_400


@dataclass
class DayFigures:
    day: str  # YYYY-MM-DD, UTC
    ai_to_human: int = 0
    human_to_ai: int = 0
    with_person_avg: float | None = None  # seconds people held what the bot handed over (stretches ending that day)
    with_person_median: float | None = None
    send_success_rate: float | None = None  # of the bot's replies, 0..1
    webhook_p50: float | None = None  # acknowledgement time, seconds
    webhook_p99: float | None = None
    assistant_replies: int = 0
    chatwoot_bot_handoffs: int | None = None
    triggers: dict[str, int] = field(default_factory=dict)  # ai → human, by trigger


def percentile(counts: Counter[float], q: float) -> float | None:
    """Nearest rank over counted values: the smallest value with at least q of the values at or below it."""
    total = sum(counts.values())
    if not total:
        return None
    rank, seen = max(1, math.ceil(q * total)), 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    return None


def day_start(at: float) -> int:
    return int(at // DAY * DAY)


def day_name(start: float) -> str:
    return datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%d")


def figures_from(records: list[Record], samples: list, starts: list[int]) -> list[DayFigures]:  # type: ignore[type-arg]
    days = {start: DayFigures(day_name(start)) for start in starts}
    held: dict[int, list[float]] = {start: [] for start in starts}
    acks: dict[int, Counter[float]] = {start: Counter() for start in starts}
    sends: dict[int, Counter[bool]] = {start: Counter() for start in starts}
    for record in records:
        start = day_start(record.at)
        if start not in days:
            continue
        way = direction(record.from_hands, record.to_hands)
        if way == "ai_to_human":
            days[start].ai_to_human += 1
            days[start].triggers[record.trigger] = days[start].triggers.get(record.trigger, 0) + 1
        elif way == "human_to_ai":
            days[start].human_to_ai += 1
        if record.held_seconds is not None:
            held[start].append(record.held_seconds)
    for sample in samples:
        start = day_start(sample.at)
        if start not in days:
            continue
        if sample.kind == "ack" and sample.value is not None:
            acks[start][sample.value] += sample.count
        elif sample.kind == "send":
            sends[start][sample.ok] += sample.count
    for start, figures in days.items():
        if held[start]:
            figures.with_person_avg = statistics.fmean(held[start])
            figures.with_person_median = statistics.median(held[start])
        figures.webhook_p50 = percentile(acks[start], 0.50)
        figures.webhook_p99 = percentile(acks[start], 0.99)
        total = sends[start][True] + sends[start][False]
        figures.assistant_replies = sends[start][True]
        figures.send_success_rate = sends[start][True] / total if total else None
    return [days[start] for start in starts]


async def daily_figures(mirror: Mirror, *, days: int, now: float) -> list[DayFigures]:
    """The last `days` UTC days, today included, oldest first."""
    today = day_start(now)
    starts = [today - DAY * back for back in range(days - 1, -1, -1)]
    since, until = starts[0], today + DAY
    records = await mirror.records(since=since, until=until)
    samples = await mirror.samples(since, until)
    return figures_from(records, samples, starts)


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 120:
        return f"{value:.1f} s"
    if value < 7200:
        return f"{value / 60:.0f} min"
    return f"{value / 3600:.1f} h"


def render_cell(key: str, value: object) -> str:
    if value is None:
        return "—"
    if key == "send_success_rate":
        return f"{float(value) * 100:.1f}%"  # type: ignore[arg-type]
    if key in ("with_person_avg", "with_person_median", "webhook_p50", "webhook_p99"):
        return _seconds(value)  # type: ignore[arg-type]
    return str(value)


def render_table(figures: list[DayFigures], *, show_chatwoot: bool) -> str:
    columns = [(key, title) for key, title in texts.COLUMNS if show_chatwoot or key != "chatwoot_bot_handoffs"]
    rows = [[title for _, title in columns]]
    rows += [[render_cell(key, getattr(day, key)) for key, _ in columns] for day in figures]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    triggers: Counter[str] = Counter()
    for day in figures:
        triggers.update(day.triggers)
    if triggers:
        lines.append("")
        lines.append(texts.TRIGGERS_HEADER)
        lines += [f"  {texts.TRIGGER_NAMES.get(name, name)}: {count}" for name, count in triggers.most_common()]
    return "\n".join(lines)


def as_json(figures: list[DayFigures]) -> list[dict[str, object]]:
    return [asdict(day) for day in figures]
