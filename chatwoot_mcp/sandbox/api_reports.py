"""Reports v2 (Api::V2::Accounts::ReportsController), administrators only: a metric per day, the summary and the
bot summary, each computed from conversations, messages and reporting events as V2::ReportBuilder does."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from .errors import not_found, server_error
from .parsing import present, to_int
from .routing import Ctx, Reply, Router
from .state import INCOMING, OUTGOING, Conversation, ReportingEvent

ACCOUNT_V2 = r"/api/v2/accounts/(?P<account_id>[^/]+)"
COUNT_EVENTS = {"resolutions_count": "conversation_resolved", "bot_resolutions_count": "conversation_bot_resolved"}
AVERAGE_EVENTS = {
    "avg_first_response_time": "first_response",
    "avg_resolution_time": "conversation_resolved",
    "reply_time": "reply_time",
}
METRICS = (
    "conversations_count",
    "incoming_messages_count",
    "outgoing_messages_count",
    "bot_handoffs_count",
    *COUNT_EVENTS,
    *AVERAGE_EVENTS,
)

Span = tuple[float, float] | None  # DateRangeHelper#range: since...until (until excluded); None when either is missing


class Scope:
    """`scope` of the report (`type` = account, inbox, agent or team) narrowed to the account."""

    def __init__(self, ctx: Ctx) -> None:
        self.store = ctx.store
        self.account_id = ctx.account_id
        kind = ctx.params.get("type")
        if not present(kind) or kind not in ("account", "inbox", "agent", "team"):
            raise server_error()  # `params[:type].to_sym` on nil, or `send` of an unknown scope: unrescued
        self.kind = str(kind)
        self.id = to_int(ctx.params.get("id"))
        records: dict[str, Any] = {"inbox": self.store.inboxes, "team": self.store.teams, "agent": self.store.users}
        if self.kind != "account":
            found = records[self.kind].get(self.id) if self.id is not None else None
            owner = getattr(found, "account_id", None) if self.kind != "agent" else None
            in_account = found is not None and (
                owner == self.account_id if self.kind != "agent" else self.account_id in found.account_ids
            )
            if not in_account:
                raise not_found()

    def conversations(self) -> Iterable[Conversation]:
        for conv in self.store.conversations.values():
            if conv.account_id != self.account_id:
                continue
            if (self.kind == "inbox" and conv.inbox_id != self.id) or (self.kind == "team" and conv.team_id != self.id):
                continue
            if self.kind == "agent" and conv.assignee_id != self.id:
                continue
            yield conv

    def message_times(self, message_type: int) -> list[float]:
        if self.kind == "agent":  # user.messages: what the person sent
            return [
                m.created_at
                for m in self.store.messages.values()
                if m.account_id == self.account_id
                and m.message_type == message_type
                and m.sender_type == "User"
                and m.sender_id == self.id
            ]
        ids = {c.id for c in self.conversations()}
        return [
            m.created_at
            for m in self.store.messages.values()
            if m.conversation_id in ids and m.message_type == message_type
        ]

    def events(self, name: str) -> list[ReportingEvent]:
        found = [e for e in self.store.reporting_events if e.account_id == self.account_id and e.name == name]
        if self.kind == "inbox":
            return [e for e in found if e.inbox_id == self.id]
        if self.kind == "agent":
            return [e for e in found if e.user_id == self.id]
        if self.kind == "team":
            ids = {c.id for c in self.conversations()}
            return [e for e in found if e.conversation_id in ids]
        return found


def _span(params: dict[str, Any], since_key: str = "since", until_key: str = "until") -> Span:
    since, until = to_int(params.get(since_key)), to_int(params.get(until_key))
    return None if since is None or until is None else (float(since), float(until))


def _inside(moment: float, span: Span) -> bool:
    return span is not None and span[0] <= moment < span[1]


def _average(values: list[float]) -> Any:
    """ActiveRecord's `average` is a BigDecimal, which Rails writes as a string; none at all is 0."""
    if not values:
        return 0
    return repr(float(sum(values) / len(values)))


def _samples(scope: Scope, metric: str, span: Span) -> list[tuple[float, float]]:
    """(created_at, value) for every row the metric counts or averages within the span."""
    if metric == "conversations_count":
        times = [c.created_at for c in scope.conversations()]
    elif metric in ("incoming_messages_count", "outgoing_messages_count"):
        times = scope.message_times(INCOMING if metric.startswith("incoming") else OUTGOING)
    elif metric == "bot_handoffs_count":  # `.select(:conversation_id).distinct`
        first: dict[int, float] = {}
        for event in scope.events("conversation_bot_handoff"):
            if _inside(event.created_at, span):
                first.setdefault(event.conversation_id, event.created_at)
        return [(moment, 1.0) for moment in first.values()]
    else:
        name = COUNT_EVENTS.get(metric) or AVERAGE_EVENTS[metric]
        return [(e.created_at, e.value) for e in scope.events(name) if _inside(e.created_at, span)]
    return [(moment, 1.0) for moment in times if _inside(moment, span)]


def aggregate(scope: Scope, metric: str, span: Span) -> Any:
    samples = _samples(scope, metric, span)
    if metric in AVERAGE_EVENTS:
        return _average([value for _, value in samples])
    return len(samples)


def _zone(params: dict[str, Any]) -> timezone:
    try:
        hours = float(params.get("timezone_offset") or 0)
    except (TypeError, ValueError):
        hours = 0.0
    return timezone(timedelta(hours=hours)) if -14 <= hours <= 14 else UTC


async def index(ctx: Ctx) -> Reply:
    """`[{value, timestamp}]` per day from `since`'s day to `until`'s, zeros included (groupdate's series);
    averages also carry the day's `count`."""
    ctx.require_admin()
    scope = Scope(ctx)
    metric = ctx.params.get("metric")
    span = _span(ctx.params)
    if metric not in METRICS or span is None:
        return 200, []  # an unknown metric logs an error and builds nothing
    zone = _zone(ctx.params)
    days: dict[datetime, list[float]] = defaultdict(list)
    for moment, value in _samples(scope, str(metric), span):
        day = datetime.fromtimestamp(moment, zone).replace(hour=0, minute=0, second=0, microsecond=0)
        days[day].append(value)
    first = datetime.fromtimestamp(span[0], zone).replace(hour=0, minute=0, second=0, microsecond=0)
    last = datetime.fromtimestamp(max(span[0], span[1] - 1e-6), zone)
    series = []
    day = first
    while day <= last:
        values = days.get(day, [])
        if metric in AVERAGE_EVENTS:
            series.append({"value": _average(values), "timestamp": int(day.timestamp()), "count": len(values)})
        else:
            series.append({"value": len(values), "timestamp": int(day.timestamp())})
        day += timedelta(days=1)
    return 200, series


def _previous(params: dict[str, Any]) -> Span:
    since, until = to_int(params.get("since")), to_int(params.get("until"))
    if since is None or until is None:
        return None
    return (float(since - (until - since)), float(since))


async def summary(ctx: Ctx) -> Reply:
    ctx.require_admin()
    scope = Scope(ctx)
    names = (
        "conversations_count",
        "incoming_messages_count",
        "outgoing_messages_count",
        "avg_first_response_time",
        "avg_resolution_time",
        "resolutions_count",
        "reply_time",
    )
    current = {name: aggregate(scope, name, _span(ctx.params)) for name in names}
    current["previous"] = {name: aggregate(scope, name, _previous(ctx.params)) for name in names}
    return 200, current


async def bot_summary(ctx: Ctx) -> Reply:
    ctx.require_admin()
    scope = Scope(ctx)
    names = ("bot_resolutions_count", "bot_handoffs_count")
    current: dict[str, Any] = {name: aggregate(scope, name, _span(ctx.params)) for name in names}
    current["previous"] = {name: aggregate(scope, name, _previous(ctx.params)) for name in names}
    return 200, current


def register(router: Router) -> None:
    router.add("GET", ACCOUNT_V2 + r"/reports", index, "reports", "index")
    router.add("GET", ACCOUNT_V2 + r"/reports/summary", summary, "reports", "summary")
    router.add("GET", ACCOUNT_V2 + r"/reports/bot_summary", bot_summary, "reports", "bot_summary")
