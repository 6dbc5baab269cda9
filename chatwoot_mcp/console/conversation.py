"""A conversation: transcript, owner badge, take over, return to the bot, reply; and its Dashboard App view.
Every read and action is a tool call as the signed-in person, after the role check on what Chatwoot returned."""

from __future__ import annotations

from typing import Any

import anyio
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from chatwoot_mcp.console import roles, texts
from chatwoot_mcp.console.sessions import Session
from chatwoot_mcp.console.web import (
    badge,
    console_of,
    csrf_ok,
    csrf_refused,
    current_session,
    login_redirect,
    render,
)
from chatwoot_mcp.server.session import ToolCallFailed
from chatwoot_mcp.server.tools.common import BOT_SOURCE_PREFIX


def message_kind(message: dict[str, Any]) -> str:
    """customer, bot, person, note or activity: how the transcript tells them apart."""
    if message.get("type") == "activity":
        return "activity"
    if message.get("private"):
        return "note"
    if message.get("type") == "incoming":
        return "customer"
    if message.get("sender_type") == "agent_bot" or str(message.get("source_id") or "").startswith(BOT_SOURCE_PREFIX):
        return "bot"
    return "person"


async def read(
    request: Request, session: Session, conversation_id: int, *, shared: bool = False
) -> dict[str, Any] | Response:
    """The conversation as the person's token reads it, or the response saying it cannot be read (404 / 502).
    `shared`: a live re-read, which the open pages (rows and conversations) asking after the same change share
    (see reads.py); a page load and an action's before and after read their own."""
    try:
        if shared:
            return await console_of(request).hub.reads.conversation(session, conversation_id)
        return await session.call("chatwoot_get_conversation", conversation_id=conversation_id)
    except ToolCallFailed as exc:
        status = 404 if "not found" in exc.message else 502
        message = texts.NOT_FOUND if status == 404 else texts.ACTION_FAILED.format(detail=exc.message)
        return render(request, "error.html", {"session": session, "message": message}, status)


def visible(request: Request, session: Session, conversation: dict[str, Any]) -> bool:
    return roles.may_see(session.person, conversation, console_of(request).settings.agents_see_queue)


def forbidden(request: Request, session: Session) -> Response:
    return render(request, "error.html", {"session": session, "message": texts.FORBIDDEN}, 403)


def gone(
    request: Request, session: Session, conversation: dict[str, Any], flash: str | None = None, error: bool = True
) -> Response:
    """What an open page shows when the conversation left this person's sight (someone else took it): who has
    it now, and nothing of its content."""
    if request.headers.get("hx-request") != "true":
        return render(request, "error.html", {"session": session, "message": flash or texts.GONE}, 409)
    return render(request, "_gone.html", {"session": session, "c": conversation, "flash": flash, "flash_error": error})


def _context(session: Session, conversation: dict[str, Any], flash: str | None, error: bool) -> dict[str, Any]:
    mine = (conversation.get("assignee") or {}).get("id") == session.person.id
    owner = conversation["owner"]
    return {
        "session": session,
        "c": conversation,
        "flash": flash,
        "flash_error": error,
        "kind": message_kind,
        "can_take": not (owner == "human" and mine),
        "can_return": owner != "bot",
        "notes_only": owner == "bot",
        "inbox_name": session.inboxes.get(conversation.get("inbox_id") or 0, ""),
    }


def _id(request: Request) -> int:
    return int(request.path_params["conversation_id"])


async def conversation_page(request: Request) -> Response:
    session = current_session(request)
    if session is None:
        return login_redirect(request)
    found = await read(request, session, _id(request))
    if isinstance(found, Response):
        return found
    if not visible(request, session, found):
        return forbidden(request, session)
    response = render(request, "conversation.html", _context(session, found, None, False))
    response.background = BackgroundTask(mark_read, session, found["id"])
    return response


async def conversation_partial(request: Request) -> Response:
    session = current_session(request)
    if session is None:
        return login_redirect(request)
    found = await read(request, session, _id(request), shared=True)
    if isinstance(found, Response):
        return found
    if not visible(request, session, found):
        return gone(request, session, found)
    if request.query_params.get("view") == "embed":
        return render(request, "_embed_body.html", _context(session, found, None, False))
    # The page re-reads on each new message: what the person has in front of them counts as read.
    response = render(request, "_conversation_body.html", _context(session, found, None, False))
    if found.get("unread_count"):
        response.background = BackgroundTask(mark_read, session, found["id"])
    return response


async def mark_read(session: Session, conversation_id: int) -> None:
    """As Chatwoot's own screen does on opening a conversation; after the response, so the page never waits, and
    a failure only leaves the unread count as it was."""
    try:
        await session.call("chatwoot_mark_read", conversation_id=conversation_id)
    except (ToolCallFailed, RuntimeError, anyio.ClosedResourceError, anyio.BrokenResourceError):
        pass  # RuntimeError and the anyio ones: the person signed out meanwhile and their tool session closed


async def act(request: Request) -> Response:
    """POST /c/{id}/{action}: take-over, return or reply. Answers with the refreshed conversation and a sentence."""
    session = current_session(request)
    if session is None:
        return login_redirect(request)
    if not await csrf_ok(request, session):
        return csrf_refused()
    conversation_id = _id(request)
    action = request.path_params["action"]
    form = await request.form()
    before = await read(request, session, conversation_id)
    if isinstance(before, Response):
        return before
    if not visible(request, session, before):
        if action == "take-over" and before["owner"] == "human":
            # It left their sight because someone else took it meanwhile: say who, change nothing.
            name = (before.get("assignee") or {}).get("name") or "?"
            return gone(request, session, before, texts.SOMEONE_ELSE.format(name=name))
        return forbidden(request, session)
    bot_name = console_of(request).settings.chatwoot.bot_name
    flash, error = "", False
    try:
        if action == "take-over":
            flash, error = await _take_over(session, conversation_id)
        elif action == "return":
            result = await session.call("chatwoot_return_to_bot", conversation_id=conversation_id)
            flash = (texts.RETURNED if result["changed"] else texts.ALREADY_BOT).format(bot_name=bot_name)
        elif action == "reply":
            flash, error = await _reply(session, before, form, bot_name)
        else:
            return HTMLResponse("", status_code=404)
    except ToolCallFailed as exc:
        flash, error = texts.ACTION_FAILED.format(detail=exc.message), True
    after = await read(request, session, conversation_id)
    if isinstance(after, Response):
        return after
    if not visible(request, session, after):
        return gone(request, session, after, flash, error)  # the action moved it out of sight (an agent returned it)
    view = "_embed_body.html" if form.get("view") == "embed" else "_conversation_body.html"
    if request.headers.get("hx-request") != "true":
        view = "conversation.html"
    return render(request, view, _context(session, after, flash, error))


async def _take_over(session: Session, conversation_id: int) -> tuple[str, bool]:
    try:
        result = await session.call("chatwoot_take_over", conversation_id=conversation_id)
    except ToolCallFailed as exc:
        # The tool refuses, naming the owner, when another person holds it (or won the race): say who, from
        # Chatwoot's own state.
        now = await session.call("chatwoot_get_conversation", conversation_id=conversation_id)
        assignee = now.get("assignee") or {}
        if now.get("owner") == "human" and assignee.get("id") != session.person.id:
            return texts.SOMEONE_ELSE.format(name=assignee.get("name") or "?"), True
        return texts.ACTION_FAILED.format(detail=exc.message), True
    return (texts.TOOK_OVER if result["changed"] else texts.ALREADY_YOURS), False


async def _reply(session: Session, before: dict[str, Any], form: Any, bot_name: str) -> tuple[str, bool]:
    content = str(form.get("content") or "").strip()
    if not content:
        return texts.EMPTY_MESSAGE, True
    # While the bot owns the conversation a person writes notes, not replies, until they take it over.
    private = bool(form.get("private")) or before["owner"] == "bot"
    arguments: dict[str, Any] = {"conversation_id": before["id"], "content": content, "private": private}
    if not private:
        arguments["expect_owner"] = before["owner"]
    try:
        await session.call("chatwoot_send_message", **arguments)
    except ToolCallFailed as exc:
        if "nothing was sent" not in exc.message:
            raise
        now = await session.call("chatwoot_get_conversation", conversation_id=before["id"])
        return texts.CHANGED_HANDS.format(owner=badge(now, session, bot_name)[1]), True
    return (texts.NOTE_SENT if private else texts.SENT), False


async def embed_page(request: Request) -> Response:
    """The Dashboard App: waits for Chatwoot's appContext (console.js), then loads the conversation by its id."""
    session = current_session(request)
    console = console_of(request)
    return render(request, "embed.html", {"session": session, "origin": console.settings.frame_origin or ""})
