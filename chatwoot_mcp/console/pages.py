"""The list of conversations: owner tabs with counts, filters, search and pages; one list tool call per page."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import anyio
from starlette.requests import Request
from starlette.responses import Response

from chatwoot_mcp.console import roles, texts
from chatwoot_mcp.console.reads import SharedReads
from chatwoot_mcp.console.sessions import Session
from chatwoot_mcp.console.web import ago, badge, console_of, current_session, login_redirect, render
from chatwoot_mcp.server.session import ToolCallFailed


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number >= 1 else None


def list_filters(request: Request, session: Session) -> dict[str, Any]:
    """The filters asked for, narrowed to what this person may use (an agent's tabs; no agent filter)."""
    settings = console_of(request).settings
    params = request.query_params
    tabs = roles.owner_tabs(session.person, settings.agents_see_queue)
    owner = params.get("owner") or roles.default_owner(session.person)
    if owner not in tabs:
        owner = roles.default_owner(session.person)
    agent = _int(params.get("agent")) if session.person.is_admin else None
    return {
        "owner": owner,
        "inbox": _int(params.get("inbox")),
        "agent": agent,
        "label": (params.get("label") or "").strip()[:100],
        "q": (params.get("q") or "").strip()[:200],
        "page": _int(params.get("page")) or 1,
        "tabs": tabs,
    }


def tool_arguments(filters: dict[str, Any]) -> dict[str, Any]:
    status, assignee_type = roles.OWNER_QUERIES[filters["owner"]]
    arguments: dict[str, Any] = {"status": status, "assignee_type": assignee_type, "page": filters["page"]}
    if filters["inbox"]:
        arguments["inbox_id"] = filters["inbox"]
    if filters["label"]:
        arguments["labels"] = [filters["label"]]
    if filters["agent"]:
        arguments["assignee_id"] = filters["agent"]
    elif filters["q"]:
        arguments["query"] = filters["q"]
    return arguments


async def read_list(
    session: Session, filters: dict[str, Any], agents_see_queue: bool, shared: SharedReads | None = None
) -> dict[str, Any]:
    """`shared`: the live re-reads of the open pages after a change share one read (a page load reads its own)."""
    try:
        if shared is None:
            result = await session.call("chatwoot_list_conversations", **tool_arguments(filters))
        else:
            result = await shared.conversations(session, **tool_arguments(filters))
    except ToolCallFailed as exc:
        return {"items": [], "error": exc.message, "next_page": None}
    # A search ignores the status, so an agent's search is narrowed here to what the agent may see.
    items = [c for c in result["items"] if roles.may_see(session.person, c, agents_see_queue)]
    return result | {"items": items}


@dataclass(frozen=True, slots=True)
class Row:
    """What a row of the list shows, worked out in Python once per row: the template then only writes it out."""

    id: int
    owner: str
    badge_class: str
    badge_text: str
    contact: str
    inbox: str
    last: str
    ago: str
    unread: int
    unread_title: str


def list_rows(items: list[dict[str, Any]], session: Session, bot_name: str) -> list[Row]:
    now = time.time()
    rows = []
    for c in items:
        badge_class, badge_text = badge(c, session, bot_name)
        unread = c.get("unread_count") or 0
        rows.append(
            Row(
                id=c["id"],
                owner=c.get("owner") or "",
                badge_class=badge_class,
                badge_text=badge_text,
                contact=(c.get("contact") or {}).get("name") or "—",
                inbox=session.inboxes.get(c.get("inbox_id"), ""),
                last=c.get("last_message") or "",
                ago=ago(c.get("last_activity_at"), now),
                unread=unread,
                unread_title=texts.UNREAD.format(count=unread) if unread else "",
            )
        )
    return rows


def _query(filters: dict[str, Any], **changes: Any) -> str:
    keys = ("owner", "inbox", "agent", "label", "q", "page")
    values = {k: filters[k] for k in keys} | changes
    return urlencode({k: v for k, v in values.items() if v not in (None, "", 1) or (k == "owner")})


async def list_page(request: Request) -> Response:
    session = current_session(request)
    if session is None:
        return login_redirect(request)
    console = console_of(request)
    filters = list_filters(request, session)
    labels = await console.labels.titles(session)
    began = time.perf_counter()
    result = await read_list(session, filters, console.settings.agents_see_queue)
    read = time.perf_counter()
    response = render(request, "list.html", _list_context(request, session, filters, result) | {"labels": labels})
    # Where a page's time goes, for the browser's developer tools and the benchmark.
    response.headers["Server-Timing"] = (
        f"tool;dur={(read - began) * 1000:.1f}, render;dur={(time.perf_counter() - read) * 1000:.1f}"
    )
    return response


async def rows_partial(request: Request) -> Response:
    session = current_session(request)
    if session is None:
        return login_redirect(request)
    filters = list_filters(request, session)
    console = console_of(request)
    result = await read_list(session, filters, console.settings.agents_see_queue, console.hub.reads)
    return render(request, "_rows.html", _list_context(request, session, filters, result))


async def row_partial(request: Request) -> Response:
    """One row, re-read when its conversation changed; empty (the row goes) when the person may no longer see it."""
    session = current_session(request)
    if session is None:
        return login_redirect(request)
    try:
        # Every open page re-reads a changed row at once: one tool call per change, shared (see reads.py).
        found = await console_of(request).hub.reads.conversation(session, int(request.path_params["id"]))
    except ToolCallFailed:
        return Response("")
    if not roles.may_see(session.person, found, console_of(request).settings.agents_see_queue):
        return Response("")
    bot_name = console_of(request).settings.chatwoot.bot_name
    return render(request, "_row.html", {"session": session, "rows": list_rows([found], session, bot_name)})


def _list_context(
    request: Request, session: Session, filters: dict[str, Any], result: dict[str, Any]
) -> dict[str, Any]:
    page = filters["page"]
    return {
        "session": session,
        "filters": filters,
        "result": result,
        "rows": list_rows(result["items"], session, console_of(request).settings.chatwoot.bot_name),
        "query": _query(filters),
        "prev_query": _query(filters, page=page - 1) if page > 1 else None,
        "next_query": _query(filters, page=result.get("next_page")) if result.get("next_page") else None,
        "tab_query": lambda owner: _query(filters, owner=owner, page=1),
        "inboxes": session.inboxes,
        "agents": session.agents,
    }


# owner tab -> (status read, which count of that read)
COUNT_SOURCES = {
    "all": ("all", "all"),
    "mine": ("all", "mine"),
    "bot": ("bot", "unassigned"),
    "queue": ("open", "unassigned"),
    "human": ("open", "assigned"),
    "closed": ("resolved", "all"),
    "snoozed": ("snoozed", "all"),
}


async def counts_partial(request: Request) -> Response:
    """Counts per owner tab, read apart from the list (one small read per status) so the list itself costs one
    tool call."""
    session = current_session(request)
    if session is None:
        return login_redirect(request)
    filters = list_filters(request, session)
    statuses = sorted({COUNT_SOURCES[tab][0] for tab in filters["tabs"]})
    shared = console_of(request).hub.reads
    found: dict[str, dict[str, int]] = {}

    async def read(status: str) -> None:
        arguments: dict[str, Any] = {"status": status}
        if filters["inbox"]:
            arguments["inbox_id"] = filters["inbox"]
        try:
            # The `mine` count (of the status "all" read) is the asking person's own.
            read = await shared.conversations(session, personal=status == "all", **arguments)
            found[status] = read["counts"]
        except ToolCallFailed:
            found[status] = {}

    async with anyio.create_task_group() as tg:
        for status in statuses:
            tg.start_soon(read, status)
    counts = {tab: found[COUNT_SOURCES[tab][0]].get(COUNT_SOURCES[tab][1]) for tab in filters["tabs"]}
    return render(request, "_tabs.html", _list_context(request, session, filters, {"items": []}) | {"counts": counts})
