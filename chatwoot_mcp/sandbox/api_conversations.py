"""Conversation endpoints: list, meta, filter, show, create, update, toggles, assignments, labels."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from . import finder_index, render
from .errors import ApiError, not_found, server_error, unprocessable
from .parsing import present, str_list, to_int
from .routing import ACCOUNT, CONV, EMPTY, Ctx, Reply, Router
from .state import (
    PRIORITIES,
    STATUSES,
    AgentBot,
    ContactInbox,
    Conversation,
    Inbox,
    Message,
    User,
)

PAGE_SIZE = 25
SortKey = Callable[[Conversation], float]
SORTS: dict[str, tuple[SortKey, bool]] = {
    "last_activity_at_desc": (lambda c: c.last_activity_at, True),
    "last_activity_at_asc": (lambda c: c.last_activity_at, False),
    "latest": (lambda c: c.last_activity_at, True),
    "created_at_desc": (lambda c: c.created_at, True),
    "created_at_asc": (lambda c: c.created_at, False),
    "sort_on_created_at": (lambda c: c.created_at, False),
    "priority_desc": (lambda c: -1 if c.priority is None else PRIORITIES.index(c.priority), True),
    "priority_asc": (lambda c: 99 if c.priority is None else PRIORITIES.index(c.priority), False),
    "sort_on_priority": (lambda c: -1 if c.priority is None else PRIORITIES.index(c.priority), True),
    "waiting_since_asc": (lambda c: c.waiting_since or float("inf"), False),
    "waiting_since_desc": (lambda c: c.waiting_since or 0.0, True),
    "sort_on_waiting_since": (lambda c: c.waiting_since or float("inf"), False),
}


def _visible(ctx: Ctx) -> list[Conversation]:
    """ConversationFinder's base scope: all of the account for admins, the agent's inboxes otherwise."""
    convs = [c for c in ctx.store.conversations.values() if c.account_id == ctx.account_id]
    if ctx.is_admin:
        return convs
    user = ctx.user
    assert user is not None
    inbox_ids = {i.id for i in ctx.store.inboxes.values() if user.id in i.member_ids}
    return [c for c in convs if c.inbox_id in inbox_ids]


def _page(ctx: Ctx) -> int:
    page = to_int(ctx.params.get("page"))
    return page if page and page > 0 else 1


def _finder(ctx: Ctx) -> tuple[list[Conversation], dict[str, int]]:
    params = ctx.params
    convs = _visible(ctx)
    inbox_id = params.get("inbox_id")
    if present(inbox_id):
        wanted = to_int(inbox_id)
        convs = [c for c in convs if c.inbox_id == wanted]
    if present(params.get("team_id")):
        team_id = to_int(params.get("team_id"))
        found = ctx.store.teams.get(team_id) if team_id is not None else None
        if found is None or found.account_id != ctx.account_id:
            raise not_found()
        convs = [c for c in convs if c.team_id == team_id]
    if present(params.get("source_id")):
        source_id = str(params["source_id"])
        convs = [c for c in convs if ctx.store.contact_inboxes[c.contact_inbox_id].source_id == source_id]
    labels = str_list(params.get("labels"))
    if labels:
        convs = [c for c in convs if any(label in c.labels for label in labels)]
    query = params.get("q")
    if present(query):
        needle = str(query).lower()
        convs = [
            c
            for c in convs
            if any(m.message_type in (0, 1) and m.content and needle in m.content.lower() for m in c.messages)
        ]
    else:
        status = params.get("status")
        if status != "all":
            wanted_status = status if present(status) else "open"
            # an unknown enum value casts to NULL in the query: nothing matches
            convs = [c for c in convs if c.status == wanted_status]
    if params.get("conversation_type") == "unattended":
        # ConversationFinder: no first reply yet, or a customer waiting since the last reply
        convs = [c for c in convs if c.first_reply_created_at is None or c.waiting_since is not None]
    user_id = ctx.user.id if ctx.user else None
    counts = {
        "mine_count": sum(1 for c in convs if c.assignee_id is not None and c.assignee_id == user_id),
        "assigned_count": sum(1 for c in convs if c.assigned),
        "unassigned_count": sum(1 for c in convs if not c.assigned),
        "all_count": len(convs),
    }
    assignee_type = params.get("assignee_type")
    if assignee_type == "me":
        convs = [c for c in convs if c.assignee_id is not None and c.assignee_id == user_id]
    elif assignee_type == "unassigned":
        convs = [c for c in convs if not c.assigned]
    elif assignee_type == "assigned":
        convs = [c for c in convs if c.assigned]
    within = to_int(params.get("updated_within"))
    if within is not None:
        since = ctx.engine.clock.now() - within
        convs = [c for c in convs if c.updated_at >= since]
    key, reverse = SORTS.get(str(params.get("sort_by") or ""), SORTS["last_activity_at_desc"])
    convs.sort(key=lambda c: (key(c), c.id), reverse=reverse)
    return convs, counts


async def index(ctx: Ctx) -> Reply:
    indexed = finder_index.page(ctx, PAGE_SIZE)
    if indexed is not None:
        convs, counts = indexed
    else:
        convs, counts = _finder(ctx)
        if to_int(ctx.params.get("updated_within")) is None:  # updated_within disables pagination
            start = (_page(ctx) - 1) * PAGE_SIZE
            convs = convs[start : start + PAGE_SIZE]
    payload = [render.conversation(ctx.store, c, ctx.user) for c in convs]
    return 200, {"data": {"meta": counts, "payload": payload}}


async def search(ctx: Ctx) -> Reply:
    """`GET /conversations/search?q=`: message content search over every status."""
    query = ctx.params.get("q")
    convs = _visible(ctx)
    needle = str(query).lower() if present(query) else ""

    def matches(m: Message) -> bool:
        return m.message_type in (0, 1) and bool(m.content) and needle in (m.content or "").lower()

    if needle:
        convs = [c for c in convs if any(matches(m) for m in c.messages)]
    convs.sort(key=lambda c: (c.last_activity_at, c.id), reverse=True)
    user_id = ctx.user.id if ctx.user else None
    counts = {
        "mine_count": sum(1 for c in convs if c.assignee_id is not None and c.assignee_id == user_id),
        "unassigned_count": sum(1 for c in convs if not c.assigned),
        "all_count": len(convs),
    }
    start = (_page(ctx) - 1) * PAGE_SIZE
    payload = []
    for conv in convs[start : start + PAGE_SIZE]:
        shown = render.conversation(ctx.store, conv, ctx.user)
        if needle:  # the search eager-loads only the matching messages, so the card shows one of those
            hit = [m for m in conv.messages if matches(m)][-1]
            shown["messages"] = [render.message_push(ctx.store, hit)]
        payload.append(shown)
    return 200, {"meta": counts, "payload": payload}


async def meta(ctx: Ctx) -> Reply:
    counts = finder_index.counts(ctx)
    if counts is None:
        _, counts = _finder(ctx)
    return 200, {"meta": counts}


FILTER_KEYS = {
    "status": lambda c: c.status,
    "assignee_id": lambda c: c.assignee_id,
    "inbox_id": lambda c: c.inbox_id,
    "team_id": lambda c: c.team_id,
    "contact_id": lambda c: c.contact_id,
    "priority": lambda c: c.priority,
    "display_id": lambda c: c.display_id,
    "labels": lambda c: c.labels,
}
FILTER_OPERATORS = {"equal_to", "not_equal_to", "is_present", "is_not_present"}
# lib/filters/filter_keys.yml narrows some attributes; the 422 names the attribute's own list
KEY_OPERATORS = {"status": ("equal_to", "not_equal_to")}


def _normalise(value: Any) -> Any:
    number = to_int(value)
    return number if number is not None else value


def _matches(conv: Conversation, key: str, operator: str, values: list[Any]) -> bool:
    actual = FILTER_KEYS[key](conv)
    if operator == "is_present":
        return bool(actual) if key == "labels" else actual is not None
    if operator == "is_not_present":
        return not actual if key == "labels" else actual is None
    wanted = {_normalise(v) for v in values}
    hit = any(label in wanted for label in actual) if key == "labels" else actual in wanted
    return hit if operator == "equal_to" else not hit


async def filter_(ctx: Ctx) -> Reply:
    rules = ctx.params.get("payload")
    if not isinstance(rules, list) or not rules:
        raise unprocessable("param is missing or the value is empty: payload")
    parsed: list[tuple[str, str, list[Any], str]] = []
    for rule in rules:
        if not isinstance(rule, dict):
            raise unprocessable("Invalid filter payload")
        key = rule.get("attribute_key")
        operator = rule.get("filter_operator")
        if key not in FILTER_KEYS:
            raise unprocessable(f"Invalid attribute key - [{key}]")
        allowed_operators = KEY_OPERATORS.get(key, tuple(sorted(FILTER_OPERATORS)))
        if operator not in allowed_operators:
            allowed = ",".join(allowed_operators)
            raise unprocessable(f"Invalid operator. The allowed operators for {key} are [{allowed}].")
        values = rule.get("values")
        values = values if isinstance(values, list) else ([] if values is None else [values])
        values = [v.get("id") if isinstance(v, dict) else v for v in values]
        parsed.append((key, operator, values, str(rule.get("query_operator") or "AND").upper()))
    result: list[Conversation] = []
    for conv in _visible(ctx):
        outcome = _matches(conv, *parsed[0][:3])
        joiner = parsed[0][3]
        for key, operator, values, next_joiner in parsed[1:]:
            hit = _matches(conv, key, operator, values)
            outcome = (outcome or hit) if joiner == "OR" else (outcome and hit)
            joiner = next_joiner
        if outcome:
            result.append(conv)
    result.sort(key=lambda c: (c.last_activity_at, c.id), reverse=True)
    user_id = ctx.user.id if ctx.user else None
    counts = {
        "mine_count": sum(1 for c in result if c.assignee_id is not None and c.assignee_id == user_id),
        "unassigned_count": sum(1 for c in result if not c.assigned),
        "all_count": len(result),
    }
    start = (_page(ctx) - 1) * PAGE_SIZE
    payload = [render.conversation(ctx.store, c, ctx.user) for c in result[start : start + PAGE_SIZE]]
    return 200, {"meta": counts, "payload": payload}


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
    found = next(
        (
            ci
            for ci in store.contact_inboxes.values()
            if source_id and ci.source_id == source_id and store.inboxes[ci.inbox_id].account_id == ctx.account_id
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
        payload = {
            "event": event,
            "user": user,
            "conversation": render.conversation_webhook(ctx.store, conv),
            "is_private": bool(ctx.params.get("is_private")),
        }
        ctx.engine.emit(event, conv, payload)
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
    conv = ctx.conversation()
    wanted: list[str] = []
    for label in str_list(ctx.params.get("labels")):
        if label not in wanted:
            wanted.append(label)
    ctx.engine.set_labels(conv, wanted, ctx.actor)
    return 200, {"payload": list(conv.labels)}


def register(router: Router) -> None:
    router.add("GET", ACCOUNT + r"/conversations", index, "conversations", "index")
    router.add("GET", ACCOUNT + r"/conversations/meta", meta, "conversations", "meta")
    router.add("GET", ACCOUNT + r"/conversations/search", search, "conversations", "search")
    router.add("POST", ACCOUNT + r"/conversations/filter", filter_, "conversations", "filter")
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
