"""Conversation list endpoints: the list, its counts, the message search and the filter."""

from __future__ import annotations

from typing import Any

from . import finder, finder_index, render
from .errors import unprocessable
from .parsing import present, to_int
from .routing import ACCOUNT, Ctx, Reply, Router
from .state import Conversation, Message


async def index(ctx: Ctx) -> Reply:
    indexed = finder_index.page(ctx, finder.PAGE_SIZE)
    if indexed is not None:
        convs, counts = indexed
    else:
        convs, counts = finder.scan(ctx)
        if to_int(ctx.params.get("updated_within")) is None:  # updated_within disables pagination
            start = (finder.page_number(ctx) - 1) * finder.PAGE_SIZE
            convs = convs[start : start + finder.PAGE_SIZE]
    payload = [render.conversation(ctx.store, c, ctx.user) for c in convs]
    return 200, {"data": {"meta": counts, "payload": payload}}


async def search(ctx: Ctx) -> Reply:
    """`GET /conversations/search?q=`: message content search over every status."""
    query = ctx.params.get("q")
    convs = finder.visible(ctx)
    needle = str(query).lower() if present(query) else ""

    def matches(m: Message) -> bool:
        return m.message_type in (0, 1) and bool(m.content) and needle in (m.content or "").lower()

    if needle:
        convs = [c for c in convs if any(matches(m) for m in c.messages)]
    convs.sort(key=lambda c: (c.last_activity_at, c.id), reverse=True)
    user_id = ctx.user.id if ctx.user else None
    counts = {
        "mine_count": sum(1 for c in convs if c.assignee_id is not None and c.assignee_id == user_id),
        "unassigned_count": sum(1 for c in convs if not c.assigned),
        "all_count": len(convs),
    }
    start = (finder.page_number(ctx) - 1) * finder.PAGE_SIZE
    payload = []
    for conv in convs[start : start + finder.PAGE_SIZE]:
        shown = render.conversation(ctx.store, conv, ctx.user)
        if needle:  # the search eager-loads only the matching messages, so the card shows one of those
            hit = [m for m in conv.messages if matches(m)][-1]
            shown["messages"] = [render.message_push(ctx.store, hit)]
        payload.append(shown)
    return 200, {"meta": counts, "payload": payload}


async def meta(ctx: Ctx) -> Reply:
    counts = finder_index.counts(ctx)
    if counts is None:
        _, counts = finder.scan(ctx)
    return 200, {"meta": counts}


FILTER_KEYS = {
    "status": lambda c: c.status,
    "assignee_id": lambda c: c.assignee_id,
    "inbox_id": lambda c: c.inbox_id,
    "team_id": lambda c: c.team_id,
    "contact_id": lambda c: c.contact_id,
    "priority": lambda c: c.priority,
    "display_id": lambda c: c.display_id,
    "labels": lambda c: c.labels,
}
FILTER_OPERATORS = {"equal_to", "not_equal_to", "is_present", "is_not_present"}
# lib/filters/filter_keys.yml narrows some attributes; the 422 names the attribute's own list
KEY_OPERATORS = {"status": ("equal_to", "not_equal_to")}


def _normalise(value: Any) -> Any:
    number = to_int(value)
    return number if number is not None else value


def _matches(conv: Conversation, key: str, operator: str, values: list[Any]) -> bool:
    actual = FILTER_KEYS[key](conv)
    if operator == "is_present":
        return bool(actual) if key == "labels" else actual is not None
    if operator == "is_not_present":
        return not actual if key == "labels" else actual is None
    wanted = {_normalise(v) for v in values}
    hit = any(label in wanted for label in actual) if key == "labels" else actual in wanted
    return hit if operator == "equal_to" else not hit


async def filter_(ctx: Ctx) -> Reply:
    rules = ctx.params.get("payload")
    if not isinstance(rules, list) or not rules:
        raise unprocessable("param is missing or the value is empty: payload")
    parsed: list[tuple[str, str, list[Any], str]] = []
    for rule in rules:
        if not isinstance(rule, dict):
            raise unprocessable("Invalid filter payload")
        key = rule.get("attribute_key")
        operator = rule.get("filter_operator")
        if key not in FILTER_KEYS:
            raise unprocessable(f"Invalid attribute key - [{key}]")
        allowed_operators = KEY_OPERATORS.get(key, tuple(sorted(FILTER_OPERATORS)))
        if operator not in allowed_operators:
            allowed = ",".join(allowed_operators)
            raise unprocessable(f"Invalid operator. The allowed operators for {key} are [{allowed}].")
        values = rule.get("values")
        values = values if isinstance(values, list) else ([] if values is None else [values])
        values = [v.get("id") if isinstance(v, dict) else v for v in values]
        parsed.append((key, operator, values, str(rule.get("query_operator") or "AND").upper()))
    result: list[Conversation] = []
    for conv in finder.visible(ctx):
        outcome = _matches(conv, *parsed[0][:3])
        joiner = parsed[0][3]
        for key, operator, values, next_joiner in parsed[1:]:
            hit = _matches(conv, key, operator, values)
            outcome = (outcome or hit) if joiner == "OR" else (outcome and hit)
            joiner = next_joiner
        if outcome:
            result.append(conv)
    result.sort(key=lambda c: (c.last_activity_at, c.id), reverse=True)
    user_id = ctx.user.id if ctx.user else None
    counts = {
        "mine_count": sum(1 for c in result if c.assignee_id is not None and c.assignee_id == user_id),
        "unassigned_count": sum(1 for c in result if not c.assigned),
        "all_count": len(result),
    }
    start = (finder.page_number(ctx) - 1) * finder.PAGE_SIZE
    payload = [render.conversation(ctx.store, c, ctx.user) for c in result[start : start + finder.PAGE_SIZE]]
    return 200, {"meta": counts, "payload": payload}


def register(router: Router) -> None:
    router.add("GET", ACCOUNT + r"/conversations", index, "conversations", "index")
    router.add("GET", ACCOUNT + r"/conversations/meta", meta, "conversations", "meta")
    router.add("GET", ACCOUNT + r"/conversations/search", search, "conversations", "search")
    router.add("POST", ACCOUNT + r"/conversations/filter", filter_, "conversations", "filter")
