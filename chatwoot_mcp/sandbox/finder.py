"""ConversationFinder as a full scan: every filter and sort the list takes, for the requests its indexes
(finder_index.py) cannot answer."""

from __future__ import annotations

from collections.abc import Callable

from .errors import not_found
from .parsing import present, str_list, to_int
from .routing import Ctx
from .state import INCOMING, PRIORITIES, Conversation

PAGE_SIZE = 25
SortKey = Callable[[Conversation], float | tuple[int, float]]


def _unread_then_activity(conv: Conversation) -> tuple[int, float]:
    """Conversation.sort_on_unread: incoming messages (private ones too, no cap) after agent_last_seen_at, most
    first, then the newest activity."""
    seen = conv.agent_last_seen_at
    unread = sum(1 for m in conv.messages if m.message_type == INCOMING and (seen is None or m.created_at > seen))
    return unread, conv.last_activity_at


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
    "unread": (_unread_then_activity, True),
}


def visible(ctx: Ctx) -> list[Conversation]:
    """ConversationFinder's base scope: all of the account for admins, the agent's inboxes otherwise."""
    convs = [c for c in ctx.store.conversations.values() if c.account_id == ctx.account_id]
    if ctx.is_admin:
        return convs
    user = ctx.user
    assert user is not None
    inbox_ids = {i.id for i in ctx.store.inboxes.values() if user.id in i.member_ids}
    return [c for c in convs if c.inbox_id in inbox_ids]


def page_number(ctx: Ctx) -> int:
    page = to_int(ctx.params.get("page"))
    return page if page and page > 0 else 1


def scan(ctx: Ctx) -> tuple[list[Conversation], dict[str, int]]:
    params = ctx.params
    convs = visible(ctx)
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
    if params.get("conversation_type") == "participating":
        # the user's participating conversations, still only in the inboxes the user can see
        convs = [c for c in convs if ctx.user is not None and ctx.user.id in c.participant_ids]
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
