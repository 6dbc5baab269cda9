"""The web widget's conversations (`Api::V1::Widget::ConversationsController` on `Api::V1::Widget::BaseController`):
the visitor's current conversation, its creation with the first message, and what the visitor does to it.

Read from chatwoot/chatwoot's stored controller (index id 69817138476) and base controller (@02ff7107), with
`create.json.jbuilder` (index id 71411298860: MessageFinder's messages, `custom_attributes`, the contact record),
`index.json.jbuilder` and the routes of config/routes.rb @002dce67, which route no `list` (the controller's `list`
is a fork's, left out; see the README of the rspec ports). The writing actions check `ensure_inbox_active`
(chatwoot/chatwoot PR #14687's base controller @02ff7107); the reads and the session's signals do not."""

from __future__ import annotations

from typing import Any

from . import contact_actions, render, render_records
from .api_widget import WIDGET, contact_name, create_conversation, current_conversation, visitor
from .contact_identify import identify
from .routing import EMPTY, Ctx, Reply, Router
from .state import ACTIVITY, INCOMING, Contact, Conversation, Store

CONVERSATIONS = WIDGET + r"/conversations"
LATEST = 20  # MessageFinder#messages_latest
END_CONVERSATION = "end_conversation"  # Channel::WebWidget feature flag the widget's "end conversation" needs


def _hash(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def _identify(ctx: Ctx, contact: Contact) -> Contact:
    """`process_update_contact`: ContactIdentifyAction with the pre-chat form's values, keeping the surviving
    contact's name and dropping a malformed e-mail or phone number. The name is offered only to a contact with no
    e-mail, phone number or identifier yet (`contact_name`), else the e-mail's local part."""
    given = _hash(ctx.params.get("contact"))
    email = _text(given.get("email"))
    email = email.lower() if email is not None else None
    name = contact_name(ctx, contact, email)
    params = {
        "email": email,
        "phone_number": _text(given.get("phone_number")),
        "name": name,
        "custom_attributes": _hash(given.get("custom_attributes")),
    }
    return identify(ctx.engine, contact, params, retain_original_contact_name=True, discard_invalid_attrs=True)


def _created(store: Store, conv: Conversation) -> dict[str, Any]:
    """`create.json.jbuilder`: the newest 20 messages less private notes and activities, oldest first."""
    shown = [m for m in conv.messages if not m.private and m.message_type != ACTIVITY][-LATEST:]
    return {
        "id": conv.display_id,
        "inbox_id": conv.inbox_id,
        "contact_last_seen_at": render.to_i(conv.contact_last_seen_at),
        "status": conv.status,
        "messages": [render.public_message(store, m) for m in shown],
        "custom_attributes": conv.custom_attributes,
        "contact": render_records.contact(store.contacts[conv.contact_id]),
    }


def _current(ctx: Ctx, *, writes: bool = False) -> Conversation | None:
    inbox, ci, _ = visitor(ctx, writes=writes)
    return current_conversation(ctx, inbox, ci)


async def index(ctx: Ctx) -> Reply:
    """#index (`index.json.jbuilder`): the current conversation's id, inbox and status; `{}` without one."""
    conv = _current(ctx)
    return 200, {"id": conv.display_id, "inbox_id": conv.inbox_id, "status": conv.status} if conv else {}


async def create(ctx: Ctx) -> Reply:
    """#create: the contact identified, then a conversation on the visitor's contact inbox (`conversation_created`)
    and the visitor's first message (`message_created`); nothing while the inbox is disabled. The message's
    `echo_id` is not kept: the sandbox's messages carry none."""
    inbox, ci, contact = visitor(ctx, writes=True)
    contact = _identify(ctx, contact)  # may merge the visitor into another contact, which then holds `ci`
    message = _hash(ctx.params.get("message"))
    custom = ctx.params.get("custom_attributes")
    conv = create_conversation(ctx, inbox, ci, contact, message, custom)
    ctx.engine.create_message(
        conv,
        content=_text(message.get("content")),
        message_type=INCOMING,
        sender=("Contact", contact.id),
        content_attributes={"in_reply_to": None},  # `message[:reply_to]` is not permitted here
    )
    return 200, _created(ctx.store, conv)


async def update_last_seen(ctx: Ctx) -> Reply:
    """#update_last_seen: `head :ok`, also without a conversation."""
    conv = _current(ctx)
    if conv is not None:
        contact_actions.mark_seen(ctx.engine, conv)
    return 200, EMPTY


async def transcript(ctx: Ctx) -> Reply:
    """#transcript: 429 without a conversation; the transcript goes to the contact's e-mail, and the sandbox sends
    no mail (e-mail transcripts count as enabled and within the account's limit)."""
    if _current(ctx) is None:
        return 429, EMPTY
    return 200, EMPTY


async def toggle_typing(ctx: Ctx) -> Reply:
    """#toggle_typing: `head :not_found` without a conversation."""
    conv = _current(ctx)
    if conv is None:
        return 404, EMPTY
    contact_actions.typing(ctx.engine, conv, ctx.params.get("typing_status"))
    return 200, EMPTY


async def toggle_status(ctx: Ctx) -> Reply:
    """#toggle_status: 404 without a conversation, 403 unless the widget has the `end_conversation` feature."""
    inbox, ci, _ = visitor(ctx, writes=True)
    conv = current_conversation(ctx, inbox, ci)
    if conv is None:
        return 404, EMPTY
    if END_CONVERSATION not in inbox.channel.get("selected_feature_flags", ()):
        return 403, EMPTY
    contact_actions.resolve(ctx.engine, conv)
    return 200, EMPTY


async def set_custom_attributes(ctx: Ctx) -> Reply:
    """#set_custom_attributes: the given hash replaces the conversation's (`conversation_updated`); no view, so
    Rails answers 204. Without a hash Chatwoot stores null; the sandbox keeps an empty hash."""
    conv = _current(ctx, writes=True)
    if conv is None:
        return 404, EMPTY
    ctx.engine.set_custom_attributes(conv, _hash(ctx.params.get("custom_attributes")), None)
    return 204, EMPTY


async def destroy_custom_attributes(ctx: Ctx) -> Reply:
    """#destroy_custom_attributes: `custom_attributes.excluding(params[:custom_attribute])` drops the keys named (a
    name or a list of names: Hash#reject hands a one-argument block the key); the conversation record is the body."""
    conv = _current(ctx, writes=True)
    if conv is None:
        return 404, EMPTY
    named = ctx.params.get("custom_attribute")
    names = {str(n) for n in named} if isinstance(named, list) else set() if named is None else {str(named)}
    kept = {key: value for key, value in conv.custom_attributes.items() if key not in names}
    ctx.engine.set_custom_attributes(conv, kept, None)
    return 200, render_records.conversation(conv)


def register(router: Router) -> None:
    controller = "widget/conversations"
    router.add("GET", CONVERSATIONS, index, controller, "index", scope="public")
    router.add("POST", CONVERSATIONS, create, controller, "create", scope="public")
    for action, handler in (
        ("update_last_seen", update_last_seen),
        ("toggle_typing", toggle_typing),
        ("transcript", transcript),
        ("set_custom_attributes", set_custom_attributes),
        ("destroy_custom_attributes", destroy_custom_attributes),
    ):
        router.add("POST", CONVERSATIONS + "/" + action, handler, controller, action, scope="public")
    router.add("GET", CONVERSATIONS + r"/toggle_status", toggle_status, controller, "toggle_status", scope="public")
