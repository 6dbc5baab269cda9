"""Message endpoints: MessageFinder's windows, MessageBuilder's create, soft delete."""

from __future__ import annotations

import json
from typing import Any

from . import attachments, email_messages, liquid_content, render
from .email_channel import EMAIL
from .errors import not_found, unprocessable
from .inbox_settings import API
from .parsing import present, to_bool, to_int
from .routing import CONV, Ctx, Reply, Router
from .state import ACTIVITY, INCOMING, MESSAGE_TYPES, OUTGOING, TEMPLATE, AgentBot, Message, User

CONTENT_TYPES = {
    "text",
    "input_text",
    "input_textarea",
    "input_email",
    "input_select",
    "cards",
    "form",
    "article",
    "incoming_email",
    "input_csat",
    "integrations",
    "sticker",
    "voice_call",
}
MAX_CONTENT = 150_000


def finder_window(messages: list[Message], before: int | None, after: int | None) -> list[Message]:
    """MessageFinder#current_messages by id: between `after` and `before` (1000 at most), the 100 after `after`, the
    20 before `before`, or the latest 20; oldest first."""
    if before is not None and after is not None:
        return [m for m in messages if after <= m.id < before][-1000:]
    if after is not None:
        return [m for m in messages if m.id > after][:100]
    if before is not None:
        return [m for m in messages if m.id < before][-20:]
    return messages[-20:]


async def index(ctx: Ctx) -> Reply:
    conv = ctx.conversation()
    messages: list[Message] = conv.messages
    if to_bool(ctx.params.get("filter_internal_messages", False)):
        messages = [m for m in messages if not m.private and m.message_type != ACTIVITY]
    window = finder_window(messages, to_int(ctx.params.get("before")), to_int(ctx.params.get("after")))
    contact = ctx.store.contacts[conv.contact_id]
    meta: dict[str, Any] = {
        "labels": list(conv.labels),
        "additional_attributes": conv.additional_attributes,
        "contact": render.contact_push(contact),
    }
    if conv.assignee_id in ctx.store.users:
        meta["assignee"] = render.user_push(ctx.store.users[conv.assignee_id])
    meta["agent_last_seen_at"] = render.iso(conv.agent_last_seen_at)
    meta["assignee_last_seen_at"] = render.iso(conv.assignee_last_seen_at)
    return 200, {"meta": meta, "payload": [render.message(ctx.store, m) for m in window]}


def _content_attributes(value: Any) -> dict[str, Any]:
    """MessageBuilder#content_attributes: a hash, or a JSON string of one; anything unparsable is `{}`."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


async def create(ctx: Ctx) -> Reply:
    conv = ctx.conversation()
    params = ctx.params
    # messages#create rescues every StandardError as 422 {"error": message}
    raw_type = params.get("message_type") or "outgoing"
    if raw_type not in MESSAGE_TYPES:
        raise unprocessable(f"'{raw_type}' is not a valid message_type")
    message_type = MESSAGE_TYPES[str(raw_type)]
    inbox = ctx.store.inboxes[conv.inbox_id]
    if message_type == INCOMING and inbox.channel_type != API:
        raise unprocessable("Incoming messages are only allowed in Api inboxes")
    content_type = params.get("content_type") or "text"
    if content_type not in CONTENT_TYPES:
        raise unprocessable(f"'{content_type}' is not a valid content_type")
    content = params.get("content")
    if content is not None and not isinstance(content, str):
        content = json.dumps(content) if isinstance(content, (dict, list)) else str(content)
    if content is not None and len(content) > MAX_CONTENT:
        raise unprocessable(f"Validation failed: Content is too long (maximum is {MAX_CONTENT} characters)")
    sender: tuple[str, int] | None
    if message_type == INCOMING:
        sender = ("Contact", conv.contact_id)
    else:
        sender = None
        if params.get("sender_type") == "AgentBot":
            bot_id = to_int(params.get("sender_id"))
            bot = ctx.store.bots.get(bot_id) if bot_id is not None else None
            if bot is not None and bot.account_id in (None, ctx.account_id):
                sender = ("AgentBot", bot.id)
        if sender is None and isinstance(ctx.actor, User):
            sender = ("User", ctx.actor.id)
        elif sender is None and isinstance(ctx.actor, AgentBot):
            sender = ("AgentBot", ctx.actor.id)
    attributes = _content_attributes(params.get("content_attributes"))
    private = to_bool(params.get("private", False))
    forwarded: list[Any] = []
    if "forwarded_message_id" in attributes:
        if inbox.channel_type != EMAIL:
            raise unprocessable("Forwarded emails need an email inbox")
        forwarded = email_messages.forward(ctx.store, conv, params, attributes, private)
    if present(content) and message_type in (OUTGOING, TEMPLATE):
        content = liquid_content.render(ctx.store, conv, sender, str(content))
    if inbox.channel_type == EMAIL:
        email_messages.apply(params, attributes, content=content, private=private, message_type=message_type)
    if present(params.get("external_created_at")):
        attributes["external_created_at"] = params["external_created_at"]
    source_id = params.get("source_id")
    # MessageBuilder#process_attachments; `is_voice_message` goes into each attachment's meta
    voice = {"is_voice_message": True} if to_bool(params.get("is_voice_message", False)) else {}
    files = attachments.uploads(ctx.store, params.get("attachments"))
    built = attachments.build(ctx.store, ctx.account_id, files, str(ctx.request.base_url), voice) + forwarded
    msg = ctx.engine.create_message(
        conv,
        content=content,
        message_type=message_type,
        sender=sender,
        private=private,
        content_type=str(content_type),
        content_attributes=attributes,
        source_id=str(source_id) if present(source_id) else None,
        actor=ctx.actor,
        attachments=built,
    )
    echo_id = params.get("echo_id")
    return 200, render.message(ctx.store, msg, echo_id=echo_id)


async def destroy(ctx: Ctx) -> Reply:
    conv = ctx.conversation()
    message_id = to_int(ctx.path.get("message_id"))
    msg = next((m for m in conv.messages if m.id == message_id), None)
    if msg is None:
        raise not_found()
    # Messages#destroy: update!(content:, content_type: :text, content_attributes: { deleted: true })
    msg.content = "This message was deleted"
    msg.content_type = "text"
    msg.content_attributes = {"deleted": True}
    msg.updated_at = ctx.engine.clock.now()
    if msg.message_type in (INCOMING, OUTGOING):
        ctx.engine.message_event("message_updated", msg)
    return 200, render.message(ctx.store, msg)


MESSAGE_STATUSES = ("sent", "delivered", "read", "failed")


async def update(ctx: Ctx) -> Reply:
    """`PATCH .../messages/{id}` with `{status, external_error}`: API inboxes only (all sandbox inboxes are)."""
    conv = ctx.conversation()
    message_id = to_int(ctx.path.get("message_id"))
    msg = next((m for m in conv.messages if m.id == message_id), None)
    if msg is None:
        raise not_found()
    status = ctx.params.get("status")
    if status not in MESSAGE_STATUSES:
        raise unprocessable(f"'{status}' is not a valid status")
    msg.status = str(status)
    if status == "failed" and present(ctx.params.get("external_error")):
        msg.content_attributes = {**msg.content_attributes, "external_error": str(ctx.params["external_error"])}
    msg.updated_at = ctx.engine.clock.now()
    ctx.engine.message_event("message_updated", msg)
    return 200, render.message(ctx.store, msg)


def register(router: Router) -> None:
    router.add("GET", CONV + r"/messages", index, "conversations/messages", "index")
    router.add("POST", CONV + r"/messages", create, "conversations/messages", "create")
    router.add("DELETE", CONV + r"/messages/(?P<message_id>[^/]+)", destroy, "conversations/messages", "destroy")
    router.add("PATCH", CONV + r"/messages/(?P<message_id>[^/]+)", update, "conversations/messages", "update")
