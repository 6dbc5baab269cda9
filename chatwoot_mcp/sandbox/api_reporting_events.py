"""Reporting events as rows (Enterprise's ReportingEventsController and ConversationsController#reporting_events):
the account's, newest first, 25 a page, administrators only; and one conversation's, oldest first."""

from __future__ import annotations

from typing import Any

from .parsing import present, to_int
from .render_common import iso
from .routing import ACCOUNT, CONV, Ctx, Reply, Router
from .state import ReportingEvent

PER_PAGE = 25


def reporting_event(event: ReportingEvent) -> dict[str, Any]:
    """`api/v1/models/_reporting_event`; `conversation_id` is the conversation's database id, not its display id."""
    return {
        "id": event.id,
        "name": event.name,
        "value": float(event.value),
        "value_in_business_hours": float(event.value),  # the sandbox's inboxes keep no business hours
        "event_start_time": iso(event.event_start_time),
        "event_end_time": iso(event.event_end_time),
        "account_id": event.account_id,
        "conversation_id": event.conversation_id,
        "inbox_id": event.inbox_id,
        "user_id": event.user_id,
        "created_at": iso(event.created_at),
        "updated_at": iso(event.created_at),
    }


async def account_index(ctx: Ctx) -> Reply:
    ctx.require_admin()
    params = ctx.params
    found = [e for e in ctx.store.reporting_events if e.account_id == ctx.account_id]
    since, until = to_int(params.get("since")), to_int(params.get("until"))
    if since is not None and until is not None:  # filter_by_date_range(range): since...until
        found = [e for e in found if since <= e.created_at < until]
    for key in ("inbox_id", "user_id"):
        if present(params.get(key)):
            wanted = to_int(params.get(key))
            found = [e for e in found if getattr(e, key) == wanted]
    if present(params.get("name")):
        found = [e for e in found if e.name == str(params.get("name"))]
    found.sort(key=lambda e: (e.created_at, e.id), reverse=True)
    page = max(1, to_int(params.get("page")) or 1)
    rows = found[(page - 1) * PER_PAGE : page * PER_PAGE]
    return 200, {
        "payload": [reporting_event(e) for e in rows],
        "meta": {"count": len(found), "current_page": page, "total_pages": -(-len(found) // PER_PAGE)},
    }


async def conversation_index(ctx: Ctx) -> Reply:
    conv = ctx.conversation()
    found = sorted(
        (e for e in ctx.store.reporting_events if e.conversation_id == conv.id), key=lambda e: (e.created_at, e.id)
    )
    return 200, [reporting_event(e) for e in found]


def register(router: Router) -> None:
    router.add("GET", ACCOUNT + r"/reporting_events", account_index, "reporting_events", "index")
    router.add("GET", CONV + r"/reporting_events", conversation_index, "conversations", "reporting_events")
