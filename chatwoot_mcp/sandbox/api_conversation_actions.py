"""Conversation actions beyond the toggles (ConversationsController#mute, #unmute, #transcript, #attachments)."""

from __future__ import annotations

from . import attachments as files
from . import render
from .errors import unprocessable
from .parsing import present
from .routing import CONV, EMPTY, Ctx, Reply, Router

# conversations.activity.muted / .unmuted (config/locales/en.yml)
MUTED_TEXT = "{name} has muted the conversation"
UNMUTED_TEXT = "{name} has unmuted the conversation"


async def mute(ctx: Ctx) -> Reply:
    """Conversation#mute!: resolves the conversation and blocks its contact (`muted?` is `contact.blocked?`); the
    activity names the user who did it (none for a bot)."""
    conv = ctx.conversation()
    ctx.engine.set_status(conv, "resolved", ctx.actor)
    ctx.store.contacts[conv.contact_id].blocked = True
    if ctx.user is not None:
        ctx.engine.add_activity(conv, MUTED_TEXT.format(name=ctx.user.name))
    return 200, EMPTY


async def unmute(ctx: Ctx) -> Reply:
    """Conversation#unmute!: unblocks the contact; the status stays as it is."""
    conv = ctx.conversation()
    ctx.store.contacts[conv.contact_id].blocked = False
    if ctx.user is not None:
        ctx.engine.add_activity(conv, UNMUTED_TEXT.format(name=ctx.user.name))
    return 200, EMPTY


async def transcript(ctx: Ctx) -> Reply:
    """Mails the transcript (the sandbox sends no mail); without `email`, 422 `email param missing`."""
    ctx.conversation()
    if not present(ctx.params.get("email")):
        raise unprocessable("email param missing")
    return 200, EMPTY


async def attachments(ctx: Ctx) -> Reply:
    """`attachments.json.jbuilder`: each attachment's push_event_data with its message's time and sender."""
    conv = ctx.conversation()
    payload = []
    for message in conv.messages:
        for record in message.attachments:
            row = {**files.push(record), "created_at": render.to_i(message.created_at)}
            sender = render.sender_push(ctx.store, message)
            if sender is not None:
                row["sender"] = sender
            payload.append(row)
    return 200, {"payload": payload}


def register(router: Router) -> None:
    router.add("POST", CONV + r"/mute", mute, "conversations", "mute")
    router.add("POST", CONV + r"/unmute", unmute, "conversations", "unmute")
    router.add("POST", CONV + r"/transcript", transcript, "conversations", "transcript")
    router.add("GET", CONV + r"/attachments", attachments, "conversations", "attachments")
