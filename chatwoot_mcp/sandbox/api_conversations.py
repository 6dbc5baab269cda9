"""Conversation endpoints: show, create, update, toggles, custom attributes, assignments, labels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import render
from .api_account_settings import check_reassignment
from .api_labels import valid_labels
from .errors import ApiError, not_found, server_error, unprocessable
from .parsing import present, str_list, to_int
from .routing import ACCOUNT, CONV, EMPTY, Ctx, Reply, Router
from .state import PRIORITIES, STATUSES, AgentBot, ContactInbox, Inbox, User


async def show(ctx: Ctx) -> Reply:
    return 200, render.conversation(ctx.store, ctx.conversation(), ctx.user)


def _check_priority(value: Any) -> str | None:
    if not present(value):
        return None
    if value not in PRIORITIES:
        raise server_error()  # ArgumentError from the enum, not rescued
    return str(value)


async def update(ctx: Ctx) -> Reply:
    conv = ctx.conversation()
    if "priority" in ctx.params:
        ctx.engine.set_priority(conv, _check_priority(ctx.params.get("priority")), ctx.actor)
    return 200, render.conversation(ctx.store, conv, ctx.user)


def _dict_param(params: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = params.get(key)
    return value if isinstance(value, dict) else None


def _authorize_inbox(ctx: Ctx, inbox: Inbox) -> None:
    if ctx.user is not None and not ctx.is_admin and ctx.user.id not in inbox.member_ids:
        raise ApiError(401, {"error": "You are not authorized to do this action"})


def _contact_inbox(ctx: Ctx) -> tuple[Inbox, ContactInbox]:
    """ConversationsController's before_actions: the inbox and contact when given, else the source id alone."""
    params, store = ctx.params, ctx.store
    inbox = contact = None
    if present(params.get("inbox_id")):
        inbox_id = to_int(params.get("inbox_id"))
        inbox = store.inboxes.get(inbox_id) if inbox_id is not None else None
        if inbox is None or inbox.account_id != ctx.account_id:
            raise not_found()
        _authorize_inbox(ctx, inbox)
    if present(params.get("contact_id")):
        contact_id = to_int(params.get("contact_id"))
        contact = store.contacts.get(contact_id) if contact_id is not None else None
        if contact is None or contact.account_id != ctx.account_id:
            raise not_found()
    source_id = str(params["source_id"]) if present(params.get("source_id")) else None
    if inbox is not None and contact is not None:
        found = (
            store.contact_inbox_by_source(inbox.id, source_id)
            if source_id
            else store.contact_inbox_for(contact.id, inbox.id)
        )
        if found is not None and found.contact_id != contact.id:
            raise unprocessable("source_id should be unique")  # contact_inboxes (inbox_id, source_id) is unique
        return inbox, found or ctx.engine.create_contact_inbox(contact, inbox.id, source_id)
    # the legacy lookup by source id alone, then the inbox's own authorization
    same_source = sorted(store.contact_inbox_index.by_source_id.get(source_id, ())) if source_id else []
    found = next(
        (
            store.contact_inboxes[ci_id]
            for ci_id in same_source
            if store.inboxes[store.contact_inboxes[ci_id].inbox_id].account_id == ctx.account_id
        ),
        None,
    )
    if found is None:
        raise not_found()
    _authorize_inbox(ctx, store.inboxes[found.inbox_id])
    return store.inboxes[found.inbox_id], found


async def create(ctx: Ctx) -> Reply:
    params = ctx.params
    inbox, contact_inbox = _contact_inbox(ctx)
    contact = ctx.store.contacts[contact_inbox.contact_id]
    status = params.get("status")
    if present(status) and status not in STATUSES:
        raise server_error()
    assignee_id = to_int(params.get("assignee_id"))
    assignee = ctx.store.users.get(assignee_id) if assignee_id is not None else None
    team_id = to_int(params.get("team_id"))
    found_team = ctx.store.teams.get(team_id) if team_id is not None else None
    snoozed = to_int(params.get("snoozed_until"))
    conv = ctx.engine.create_conversation(
        inbox_id=inbox.id,
        contact=contact,
        contact_inbox=contact_inbox,
        status=str(status) if present(status) else "open",
        assignee_id=assignee.id if assignee and ctx.account_id in assignee.account_ids else None,
        team_id=found_team.id if found_team else None,
        additional_attributes=_dict_param(params, "additional_attributes"),
        custom_attributes=_dict_param(params, "custom_attributes"),
        snoozed_until=float(snoozed) if snoozed is not None else None,
    )
    message = params.get("message")
    if isinstance(message, dict) and present(message.get("content")):
        sender: tuple[str, int] | None = None
        if ctx.actor is not None:
            sender = ("User" if isinstance(ctx.actor, User) else "AgentBot", ctx.actor.id)
        ctx.engine.create_message(conv, content=str(message["content"]), message_type=1, sender=sender)
    return 200, render.conversation(ctx.store, conv, ctx.user)


def _parse_snooze(value: Any) -> float | None:
    if value is None:
        return None
    try:
        # DateTime.strptime(value.to_s, '%s'): unix seconds, anything else raises and surfaces as 500
        return float(datetime.fromtimestamp(int(str(value).strip())).timestamp())
    except (ValueError, OverflowError, OSError):
        raise server_error() from None


async def toggle_status(ctx: Ctx) -> Reply:
    conv = ctx.conversation()
    status = ctx.params.get("status")
    success: bool | None = True
    if isinstance(ctx.actor, AgentBot) and conv.status == "pending" and status == "open":
        ctx.engine.bot_handoff(conv, ctx.actor)
        success = None  # @status is never assigned on the bot_handoff! branch
    elif present(status):
        if status not in STATUSES:
            raise server_error()
        snoozed = _parse_snooze(ctx.params.get("snoozed_until")) if "snoozed_until" in ctx.params else None
        if status == "snoozed" and snoozed is None:
            snoozed = conv.snoozed_until if conv.status == "snoozed" else None
        ctx.engine.set_status(conv, str(status), ctx.actor, snoozed)
    else:
        ctx.engine.toggle(conv, ctx.actor)
    user = ctx.user
    if conv.status == "open" and user is not None and user.role == "agent":
        ctx.engine.assign_user(conv, user, user)
    return 200, {
        "meta": {},
        "payload": {
            "success": success,
            "conversation_id": conv.display_id,
            "current_status": conv.status,
            "snoozed_until": render.iso(conv.snoozed_until),
        },
    }


async def toggle_priority(ctx: Ctx) -> Reply:
    conv = ctx.conversation()
    ctx.engine.set_priority(conv, _check_priority(ctx.params.get("priority")), ctx.actor)
    return 200, EMPTY


async def toggle_typing(ctx: Ctx) -> Reply:
    conv = ctx.conversation()
    typing = ctx.params.get("typing_status")
    event = {"on": "conversation_typing_on", "off": "conversation_typing_off"}.get(str(typing))
    if event is not None:
        user: Any = None
        if isinstance(ctx.actor, User):
            user = {"id": ctx.actor.id, "name": ctx.actor.name, "email": ctx.actor.email, "type": "user"}
        elif isinstance(ctx.actor, AgentBot):
            user = {"id": ctx.actor.id, "name": ctx.actor.name, "type": "agent_bot"}
        is_private = bool(ctx.params.get("is_private"))
        ctx.engine.typing_event(event, conv, user, is_private)
    return 200, EMPTY


async def custom_attributes(ctx: Ctx) -> Reply:
    conv = ctx.conversation()
    values = ctx.params.get("custom_attributes")
    if not isinstance(values, dict):
        raise unprocessable("param is missing or the value is empty: custom_attributes")
    ctx.engine.set_custom_attributes(conv, values, ctx.actor)
    return 200, {"custom_attributes": conv.custom_attributes}


async def assignments(ctx: Ctx) -> Reply:
    conv = ctx.conversation()
    params = ctx.params
    if "assignee_id" in params:
        check_reassignment(ctx, conv, to_int(params.get("assignee_id")))
    if params.get("assignee_type") == "AgentBot":
        bot_id = to_int(params.get("assignee_id"))
        bot = ctx.store.bots.get(bot_id) if bot_id is not None else None
        if bot is None or bot.account_id not in (None, ctx.account_id):
            return 200, None  # an unknown bot changes nothing
        ctx.engine.assign_bot(conv, bot, ctx.actor)
        return 200, render.bot_slim(bot)
    if "assignee_id" in params:
        user_id = to_int(params.get("assignee_id"))
        user = ctx.store.users.get(user_id) if user_id is not None else None
        if user is not None and ctx.account_id not in user.account_ids:
            user = None  # Current.account.users.find_by: silently nil
        ctx.engine.assign_user(conv, user, ctx.actor)
        return 200, render.agent(user, ctx.account_id) if user else None
    if "team_id" in params:
        team_id = to_int(params.get("team_id"))
        found = ctx.store.teams.get(team_id) if team_id is not None else None
        if found is not None and found.account_id != ctx.account_id:
            found = None
        ctx.engine.assign_team(conv, found.id if found else None, ctx.actor)
        return 200, render.team_record(found) if found else None
    return 200, None


async def labels_index(ctx: Ctx) -> Reply:
    return 200, {"payload": list(ctx.conversation().labels)}


async def labels_create(ctx: Ctx) -> Reply:
    """Replaces the label set with the posted labels the account defines (LabelConcern)."""
    conv = ctx.conversation()
    ctx.engine.set_labels(conv, valid_labels(ctx, str_list(ctx.params.get("labels"))), ctx.actor)
    return 200, {"payload": list(conv.labels)}


def register(router: Router) -> None:
    router.add("POST", ACCOUNT + r"/conversations", create, "conversations", "create")
    router.add("GET", CONV, show, "conversations", "show")
    router.add("PATCH", CONV, update, "conversations", "update")
    router.add("PUT", CONV, update, "conversations", "update")
    router.add("POST", CONV + r"/toggle_status", toggle_status, "conversations", "toggle_status")
    router.add("POST", CONV + r"/toggle_priority", toggle_priority, "conversations", "toggle_priority")
    router.add("POST", CONV + r"/toggle_typing_status", toggle_typing, "conversations", "toggle_typing_status")
    router.add("POST", CONV + r"/custom_attributes", custom_attributes, "conversations", "custom_attributes")
    router.add("POST", CONV + r"/assignments", assignments, "conversations/assignments", "create")
    router.add("GET", CONV + r"/labels", labels_index, "conversations/labels", "index")
    router.add("POST", CONV + r"/labels", labels_create, "conversations/labels", "create")
