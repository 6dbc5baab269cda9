"""The web widget's messages (`Api::V1::Widget::MessagesController`): the visitor's current conversation read through
MessageFinder, the visitor's messages (the first one opens a conversation), and the visitor's answers to a message
that asks for an e-mail or offers choices.

Read at chatwoot/chatwoot@0435428c (controller and spec); BaseController's `message_params` and
`conversation_params` from the stored versions that write `in_reply_to` and `browser_language` (see the README of
the rspec ports)."""

from __future__ import annotations

from typing import Any

from . import attachments, contact_identify, render
from .api_messages import MAX_CONTENT, finder_window
from .api_public import permitted_submitted_values
from .api_widget import WIDGET, contact_name, create_conversation, current_conversation, visitor, visitor_conversations
from .errors import ApiError, not_found, record_invalid, server_error
from .parsing import present, str_list, to_int
from .render_common import to_i
from .routing import Ctx, Reply, Router
from .state import ACTIVITY, INCOMING, Contact, Conversation, Inbox, Message

RESOLVED_CLOSED = {"error": "Conversation is resolved and does not accept new messages"}


def _message_params(ctx: Ctx) -> dict[str, Any]:
    """`permitted_params[:message]`: the controller reads its keys without a guard, so a request without the hash
    fails (NoMethodError, a 500)."""
    message = ctx.params.get("message")
    if not isinstance(message, dict):
        raise server_error()
    return message


async def index(ctx: Ctx) -> Reply:
    """MessagesController#index (`index.json.jbuilder`): MessageFinder with `filter_internal_messages` (no private
    notes, no activities) and the `before`/`after` ids, in the widget's message shape; `meta` has the conversation's
    `contact_last_seen_at` when there is a conversation."""
    inbox, ci, _ = visitor(ctx)
    conv = current_conversation(ctx, inbox, ci)
    if conv is None:
        return 200, {"payload": [], "meta": {}}
    visible = [m for m in conv.messages if not m.private and m.message_type != ACTIVITY]
    window = finder_window(visible, to_int(ctx.params.get("before")), to_int(ctx.params.get("after")))
    payload = [render.public_message(ctx.store, m) for m in window]  # api/v1/models/_widget_message's keys
    return 200, {"payload": payload, "meta": {"contact_last_seen_at": to_i(conv.contact_last_seen_at)}}


def _apply_labels(ctx: Ctx, conv: Conversation, given: Any) -> None:
    """`apply_labels`: the account's labels whose title is one given, compared as stored (an SQL `where`, so case
    counts); titles that are no label are dropped, and nothing is set when none is left."""
    wanted = set(str_list(given))
    found = sorted((x for x in ctx.store.labels.values() if x.account_id == conv.account_id), key=lambda x: x.id)
    titles = [x.title for x in found if x.title in wanted]
    if titles:
        ctx.engine.set_labels(conv, titles, None)


def _conversation_for_message(ctx: Ctx, inbox: Inbox, ci: Any, contact: Contact, message: dict[str, Any]) -> Any:
    """`set_conversation`: the current conversation, or a new one (with the labels given) when there is none; a
    resolved one refuses the message (403) unless the inbox allows messages after resolution."""
    conv = current_conversation(ctx, inbox, ci)
    if conv is None:
        conv = create_conversation(ctx, inbox, ci, contact, message, ctx.params.get("custom_attributes"))
        if present(ctx.params.get("labels")):
            _apply_labels(ctx, conv, ctx.params.get("labels"))
        return conv
    if conv.status == "resolved" and not inbox.settings["allow_messages_after_resolved"]:
        raise ApiError(403, RESOLVED_CLOSED)
    return conv


def _reply_attributes(conv: Conversation, reply_to: Any) -> dict[str, Any]:
    """`content_attributes: { in_reply_to: }` then Messages::InReplyToMessageBuilder: a reply names a message of the
    same conversation, with that message's `source_id`; an id found nowhere there leaves both null."""
    attributes: dict[str, Any] = {"in_reply_to": reply_to}
    if present(reply_to):
        wanted = to_int(reply_to)
        found = next((m for m in conv.messages if m.id == wanted), None)
        attributes["in_reply_to_external_id"] = found.source_id if found else None
        attributes["in_reply_to"] = found.id if found else None
    return attributes


def _created(ctx: Ctx, msg: Message) -> dict[str, Any]:
    """`create.json.jbuilder`."""
    conv = ctx.store.conversations[msg.conversation_id]
    body: dict[str, Any] = {
        "id": msg.id,
        "content": msg.content,
        "inbox_id": msg.inbox_id,
        "conversation_id": conv.display_id,
        "message_type": msg.message_type,
        "created_at": to_i(msg.created_at),
        "private": msg.private,
        "source_id": msg.source_id,
        "content_attributes": msg.content_attributes,
        **attachments.rendered(msg.attachments),
    }
    sender = render.sender_push(ctx.store, msg)
    if sender is not None:
        body["sender"] = sender
    return body


async def create(ctx: Ctx) -> Reply:
    """MessagesController#create: an incoming message from the visitor's contact on the current conversation (Message's
    callbacks reopen it, unless muted, and send `message_created`), with the files in `message[attachments]`.
    Content over 150,000 characters is the 422 of `render_record_invalid`, after the new conversation was made.
    Nothing while the inbox is disabled."""
    inbox, ci, contact = visitor(ctx, writes=True)
    message = _message_params(ctx)
    conv = _conversation_for_message(ctx, inbox, ci, contact, message)
    content = message.get("content")
    if content is not None and len(str(content)) > MAX_CONTENT:
        raise record_invalid([f"Content is too long (maximum is {MAX_CONTENT} characters)"], ["content"])
    files = attachments.uploads(ctx.store, message.get("attachments"))
    built = attachments.build(ctx.store, conv.account_id, files, str(ctx.request.base_url), {})
    msg = ctx.engine.create_message(
        conv,
        content=str(content) if content is not None else None,
        message_type=INCOMING,
        sender=("Contact", contact.id),
        content_attributes=_reply_attributes(conv, message.get("reply_to")),
        attachments=built,
    )
    return 200, _created(ctx, msg)


def _visitor_message(ctx: Ctx, inbox: Inbox, ci: Any) -> Message:
    """`set_message`: a message of any of the visitor's conversations; one of another visitor is a 404."""
    wanted = to_int(ctx.path["id"])
    for conv in visitor_conversations(ctx, inbox, ci):
        for msg in conv.messages:
            if msg.id == wanted:
                return msg
    raise not_found()


def _set_content_attributes(ctx: Ctx, msg: Message, values: dict[str, Any]) -> None:
    """`@message.update!` on Message's `content_attributes` accessors: `message_updated` when anything changed."""
    stored = msg.content_attributes
    if any(key not in stored or stored[key] != value for key, value in values.items()):
        msg.content_attributes = {**stored, **values}
        msg.updated_at = ctx.engine.clock.now()
        ctx.engine.message_event("message_updated", msg)


async def update(ctx: Ctx) -> Reply:
    """MessagesController#update: on an `input_email` message the e-mail given (lower-cased) is saved as
    `submitted_email` and the visitor's contact is identified by it (ContactIdentifyAction with
    `retain_original_contact_name`, which merges the visitor into a contact already holding that e-mail); on any
    other message the permitted `message[submitted_values]`. What fails is rescued as a 500 naming the error."""
    inbox, ci, contact = visitor(ctx, writes=True)
    msg = _visitor_message(ctx, inbox, ci)
    try:
        if msg.content_type == "input_email":
            given = ctx.params.get("contact")
            raw = given.get("email") if isinstance(given, dict) else None
            email = str(raw).lower() if raw is not None else None
            _set_content_attributes(ctx, msg, {"submitted_email": email})
            params = {"email": email, "name": contact_name(ctx, contact, email)}
            contact_identify.identify(ctx.engine, contact, params, retain_original_contact_name=True)
        else:
            message = ctx.params.get("message")
            if not isinstance(message, dict):
                raise ApiError(500, "When assigning attributes, you must pass a hash as an argument, NilClass passed.")
            submitted = permitted_submitted_values(message.get("submitted_values"))
            if "submitted_values" in message and submitted is not None:
                _set_content_attributes(ctx, msg, {"submitted_values": submitted})
    except ApiError as exc:
        text = exc.body if isinstance(exc.body, str) else f"Validation failed: {exc.body.get('message', '')}"
        raise ApiError(500, {"error": {}, "message": text}) from None
    return 200, render.public_message(ctx.store, msg)


def register(router: Router) -> None:
    member = WIDGET + r"/messages/(?P<id>[^/]+)"
    router.add("GET", WIDGET + r"/messages", index, "widget/messages", "index", scope="public")
    router.add("POST", WIDGET + r"/messages", create, "widget/messages", "create", scope="public")
    router.add("PATCH", member, update, "widget/messages", "update", scope="public")
    router.add("PUT", member, update, "widget/messages", "update", scope="public")  # `resources` routes both
