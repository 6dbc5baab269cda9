"""Read and unread (ConversationsController#update_last_seen and #unread): the agent's last-seen times that
`unread_count` is measured from."""

from __future__ import annotations

from starlette.responses import Response

from . import render
from .routing import CONV, Ctx, Reply, Router
from .state import INCOMING, Conversation

THROTTLE = 3600.0  # with nothing unread, the times are written at most once an hour


def _anything_since(conv: Conversation, moment: float | None) -> bool:
    """`messages.created_since(t)`, or every message when t is unset."""
    if not conv.messages:
        return False
    return moment is None or conv.messages[-1].created_at > moment


def _write(conv: Conversation, moment: float | None, *, assignee_too: bool) -> None:
    # update_columns: no callbacks, no updated_at, no webhook
    conv.agent_last_seen_at = moment
    if assignee_too:
        conv.assignee_last_seen_at = moment


async def update_last_seen(ctx: Ctx) -> Reply:
    conv = ctx.conversation()
    user = ctx.user
    assert user is not None  # bots are refused before this (not in BOT_ACCESSIBLE)
    now = ctx.engine.clock.now()
    assignee = conv.assignee_id is not None and conv.assignee_id == user.id
    if assignee and _anything_since(conv, conv.assignee_last_seen_at):
        _write(conv, now, assignee_too=True)
    elif not assignee and _anything_since(conv, conv.agent_last_seen_at):
        _write(conv, now, assignee_too=False)
    else:
        stale_agent = conv.agent_last_seen_at is None or conv.agent_last_seen_at < now - THROTTLE
        stale_assignee = conv.assignee_last_seen_at is None or conv.assignee_last_seen_at < now - THROTTLE
        if stale_agent or (assignee and stale_assignee):
            _write(conv, now, assignee_too=assignee)
    return 200, render.conversation(ctx.store, conv, user)


async def unread(ctx: Ctx) -> Reply:
    """Seen until a second before the last incoming message, so it counts as unread again (never seen: unset)."""
    conv = ctx.conversation()
    last_incoming = next((m for m in reversed(conv.messages) if m.message_type == INCOMING), None)
    _write(conv, last_incoming.created_at - 1 if last_incoming else None, assignee_too=True)
    return Response(status_code=204)  # the action has no view: Rails answers 204 No Content


def register(router: Router) -> None:
    router.add("POST", CONV + r"/update_last_seen", update_last_seen, "conversations", "update_last_seen")
    router.add("POST", CONV + r"/unread", unread, "conversations", "unread")
