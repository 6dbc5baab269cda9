"""Chatwoot's public client API for API inboxes: how a channel (or a test) plays the customer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from . import attachments, contact_actions, contact_identify, render
from .errors import ApiError, not_found, record_invalid
from .parsing import present, to_int
from .routing import EMPTY, PUBLIC, Ctx, Reply, Router
from .state import INCOMING, Contact, ContactInbox, Conversation, Inbox

MAX_CONTENT = 150_000  # Message validates content length at 150,000 characters
IDENTIFY_PERMITTED = ("email", "name", "phone_number", "custom_attributes")  # `custom_attributes: {}`: a hash


def _inbox(ctx: Ctx) -> Inbox:
    inbox = ctx.store.inbox_by_identifier(ctx.path["inbox_identifier"])
    if inbox is None:
        raise not_found()
    return inbox


def _contact_inbox(ctx: Ctx) -> ContactInbox:
    inbox = _inbox(ctx)
    found = ctx.store.contact_inbox_by_source(inbox.id, ctx.path["contact_identifier"])
    if found is None:
        raise not_found()
    return found


def _conversation(ctx: Ctx) -> Conversation:
    ci = _contact_inbox(ctx)
    display_id = to_int(ctx.path["conversation_id"])
    conv = ctx.store.conversation_by_display(ctx.store.inboxes[ci.inbox_id].account_id, display_id or -1)
    if conv is None or conv.contact_inbox_id != ci.id:
        raise not_found()
    return conv


def _contact_body(ctx: Ctx, ci: ContactInbox) -> dict[str, object]:
    contact = ctx.store.contacts[ci.contact_id]
    return {
        "source_id": ci.source_id,
        "pubsub_token": ci.pubsub_token,
        "id": contact.id,
        "name": contact.name,
        "email": contact.email,
        "phone_number": contact.phone_number,
    }


async def inbox_show(ctx: Ctx) -> Reply:
    inbox = _inbox(ctx)
    return 200, {
        "identifier": inbox.inbox_identifier,
        "name": inbox.name,
        "timezone": inbox.settings["timezone"],
        "working_hours": inbox.settings["working_hours"],
        "working_hours_enabled": inbox.settings["working_hours_enabled"],
        "csat_survey_enabled": inbox.settings["csat_survey_enabled"],
        "greeting_enabled": inbox.settings["greeting_enabled"],
        "identity_validation_enabled": False,
        "send_message_signature": False,  # public/api/v1/inbox/inboxes_controller_spec expects the key
    }


def _find_contact(
    ctx: Ctx, account_id: int, identifier: str | None, email: str | None, phone: str | None
) -> Contact | None:
    index = ctx.store.contact_index
    for field, value in (("identifier", identifier), ("email", email), ("phone_number", phone)):
        found = index.find(account_id, field, value) if value else None
        if found is not None:
            return ctx.store.contacts[found]
    return None


async def contact_create(ctx: Ctx) -> Reply:
    inbox = _inbox(ctx)
    params = ctx.params

    def text(key: str) -> str | None:
        value = params.get(key)
        return str(value) if present(value) else None

    custom = params.get("custom_attributes")
    # ContactInboxWithContactBuilder reuses a contact found by identifier, then email, then phone number
    contact = _find_contact(ctx, inbox.account_id, text("identifier"), text("email"), text("phone_number"))
    if contact is None:
        contact = ctx.engine.create_contact(
            inbox.account_id,
            name=text("name"),
            email=text("email"),
            phone_number=text("phone_number"),
            identifier=text("identifier"),
            custom_attributes=custom if isinstance(custom, dict) else None,
        )
    ci = ctx.engine.create_contact_inbox(contact, inbox.id)
    return 200, _contact_body(ctx, ci)


async def contact_show(ctx: Ctx) -> Reply:
    return 200, _contact_body(ctx, _contact_inbox(ctx))


async def contact_update(ctx: Ctx) -> Reply:
    """ContactIdentifyAction on the permitted params less `identifier`: the contact merges into the one holding the
    e-mail or phone number given; the body is the contact inbox's, which the merge moved to the contact that remains
    (`avatar_url` would queue Avatar::AvatarFromUrlJob, which the sandbox does not run)."""
    ci = _contact_inbox(ctx)
    params = {key: ctx.params[key] for key in IDENTIFY_PERMITTED if key in ctx.params}
    contact_identify.identify(ctx.engine, ctx.store.contacts[ci.contact_id], params)
    return 200, _contact_body(ctx, ci)


async def conversation_create(ctx: Ctx) -> Reply:
    ci = _contact_inbox(ctx)
    custom = ctx.params.get("custom_attributes")
    conv = ctx.engine.create_conversation(
        inbox_id=ci.inbox_id,
        contact=ctx.store.contacts[ci.contact_id],
        contact_inbox=ci,
        custom_attributes=custom if isinstance(custom, dict) else None,
    )
    return 200, render.public_conversation(ctx.store, conv)


async def conversation_index(ctx: Ctx) -> Reply:
    ci = _contact_inbox(ctx)
    ids = sorted(ctx.store.conversation_index.by_contact.get(ci.contact_id, ()))
    convs = [c for c in (ctx.store.conversations[i] for i in ids) if c.contact_inbox_id == ci.id]
    return 200, [render.public_conversation(ctx.store, c) for c in convs]


async def conversation_show(ctx: Ctx) -> Reply:
    return 200, render.public_conversation(ctx.store, _conversation(ctx))


async def conversation_toggle_status(ctx: Ctx) -> Reply:
    """The contact resolves the conversation (`contact_actions.resolve`)."""
    conv = _conversation(ctx)
    contact_actions.resolve(ctx.engine, conv)
    return 200, render.public_conversation(ctx.store, conv)


async def conversation_toggle_typing(ctx: Ctx) -> Reply:
    """The contact types (`contact_actions.typing`); `head :ok`."""
    contact_actions.typing(ctx.engine, _conversation(ctx), ctx.params.get("typing_status"))
    return 200, EMPTY


async def conversation_update_last_seen(ctx: Ctx) -> Reply:
    """`contact_actions.mark_seen`; `head :ok`."""
    contact_actions.mark_seen(ctx.engine, _conversation(ctx))
    return 200, EMPTY


async def message_create(ctx: Ctx) -> Reply:
    conv = _conversation(ctx)
    content = ctx.params.get("content")
    if content is not None and len(str(content)) > MAX_CONTENT:
        # the public controller lets ActiveRecord::RecordInvalid through to render_record_invalid
        raise record_invalid([f"Content is too long (maximum is {MAX_CONTENT} characters)"], ["content"])
    files = attachments.uploads(ctx.store, ctx.params.get("attachments"))
    built = attachments.build(ctx.store, conv.account_id, files, str(ctx.request.base_url), {})
    msg = ctx.engine.create_message(
        conv,
        content=str(content) if content is not None else None,
        message_type=INCOMING,
        sender=("Contact", conv.contact_id),
        attachments=built,
    )
    body = render.public_message(ctx.store, msg)
    if "echo_id" in ctx.params:
        body["echo_id"] = ctx.params["echo_id"]
    return 200, body


CSAT_LOCK_DAYS = 14
SUBMITTED_KEYS = ("name", "title", "value")


def permitted_submitted_values(value: Any) -> Any:
    """`params.permit(submitted_values: [:name, :title, :value, { csat_survey_response: [:feedback_message,
    :rating] }])`: a hash or a list of hashes, other keys dropped."""
    if isinstance(value, list):
        return [permitted_submitted_values(item) for item in value if isinstance(item, dict)]
    if not isinstance(value, dict):
        return None
    kept = {key: value[key] for key in SUBMITTED_KEYS if key in value}
    csat = value.get("csat_survey_response")
    if isinstance(csat, dict):
        kept["csat_survey_response"] = {k: csat[k] for k in ("feedback_message", "rating") if k in csat}
    return kept


async def message_update(ctx: Ctx) -> Reply:
    """A contact's answer to an interactive message or a CSAT survey (`submitted_values`); a CSAT survey older than
    14 calendar days is locked."""
    conv = _conversation(ctx)
    message_id = to_int(ctx.path["message_id"])
    msg = next((m for m in conv.messages if m.id == message_id), None)
    if msg is None:
        raise not_found()
    now = ctx.engine.clock.now()
    age = (datetime.fromtimestamp(now, UTC).date() - datetime.fromtimestamp(msg.created_at, UTC).date()).days
    if msg.content_type == "input_csat" and age > CSAT_LOCK_DAYS:
        raise ApiError(422, {"error": "You cannot update the CSAT survey after 14 days"})
    submitted = permitted_submitted_values(ctx.params.get("submitted_values"))
    if submitted is not None and submitted != msg.content_attributes.get("submitted_values"):
        msg.content_attributes = {**msg.content_attributes, "submitted_values": submitted}
        msg.updated_at = now
        ctx.engine.message_event("message_updated", msg)
    return 200, render.public_message(ctx.store, msg)


async def message_index(ctx: Ctx) -> Reply:
    conv = _conversation(ctx)
    visible = [m for m in conv.messages if not m.private and m.message_type != 2]
    return 200, [render.public_message(ctx.store, m) for m in visible]


def register(router: Router) -> None:
    contact = PUBLIC + r"/contacts/(?P<contact_identifier>[^/]+)"
    conv = contact + r"/conversations/(?P<conversation_id>[^/]+)"
    router.add("GET", PUBLIC, inbox_show, "public/inboxes", "show", scope="public")
    router.add("POST", PUBLIC + r"/contacts", contact_create, "public/contacts", "create", scope="public")
    router.add("GET", contact, contact_show, "public/contacts", "show", scope="public")
    router.add("PATCH", contact, contact_update, "public/contacts", "update", scope="public")
    router.add(
        "POST", contact + r"/conversations", conversation_create, "public/conversations", "create", scope="public"
    )
    router.add("GET", contact + r"/conversations", conversation_index, "public/conversations", "index", scope="public")
    router.add("GET", conv, conversation_show, "public/conversations", "show", scope="public")
    router.add(
        "POST", conv + r"/toggle_status", conversation_toggle_status, "public/conversations", "toggle_status", "public"
    )
    router.add(
        "POST",
        conv + r"/toggle_typing",
        conversation_toggle_typing,
        "public/conversations",
        "toggle_typing",
        scope="public",
    )
    router.add(
        "POST",
        conv + r"/update_last_seen",
        conversation_update_last_seen,
        "public/conversations",
        "update_last_seen",
        scope="public",
    )
    router.add("POST", conv + r"/messages", message_create, "public/messages", "create", scope="public")
    router.add("GET", conv + r"/messages", message_index, "public/messages", "index", scope="public")
    router.add(
        "PATCH", conv + r"/messages/(?P<message_id>[^/]+)", message_update, "public/messages", "update", scope="public"
    )
