"""ConversationFinder's common request (status, inbox, assignee type, newest activity first) answered from the
store's conversation index, so a list page costs the same with 10,000 conversations as with 100."""

from __future__ import annotations

from itertools import islice

from .parsing import present, to_int
from .routing import Ctx
from .state import STATUSES, Conversation

# Any of these makes the request one for the finder's full scan (api_conversations._finder).
SCANNED_PARAMS = ("q", "team_id", "labels", "updated_within", "conversation_type", "source_id")
INDEXED_SORTS = {"", "last_activity_at_desc", "latest"}


def _groups(ctx: Ctx) -> list[tuple[int, int, str]] | None:
    params = ctx.params
    if any(present(params.get(key)) for key in SCANNED_PARAMS):
        return None
    if str(params.get("sort_by") or "") not in INDEXED_SORTS:
        return None
    status = params.get("status")
    if status is not None and not isinstance(status, str):
        return None
    inboxes = [i for i in ctx.store.inboxes.values() if i.account_id == ctx.account_id]
    user = ctx.user
    if not ctx.is_admin:
        assert user is not None
        inboxes = [i for i in inboxes if user.id in i.member_ids]
    inbox_ids = [i.id for i in inboxes]
    if present(params.get("inbox_id")):
        wanted = to_int(params.get("inbox_id"))
        inbox_ids = [i for i in inbox_ids if i == wanted]
    if status == "all":
        statuses: tuple[str, ...] = STATUSES
    else:
        statuses = (status if present(status) else "open",)  # type: ignore[assignment]
    return ctx.store.conversation_index.keys(ctx.account_id, inbox_ids, statuses)


def counts(ctx: Ctx) -> dict[str, int] | None:
    """The list's meta counts, or None when the request needs the full scan."""
    groups = _groups(ctx)
    if groups is None:
        return None
    return ctx.store.conversation_index.counts(groups, ctx.user.id if ctx.user else None)


def page(ctx: Ctx, size: int) -> tuple[list[Conversation], dict[str, int]] | None:
    """One page of the list and its counts, or None when the request needs the full scan."""
    groups = _groups(ctx)
    if groups is None:
        return None
    index = ctx.store.conversation_index
    user_id = ctx.user.id if ctx.user else None
    conversations = ctx.store.conversations
    found = (conversations[conv_id] for conv_id in index.newest_first(groups))
    assignee_type = ctx.params.get("assignee_type")
    if assignee_type == "me":
        found = (c for c in found if c.assignee_id is not None and c.assignee_id == user_id)
    elif assignee_type == "unassigned":
        found = (c for c in found if c.assignee_id is None)
    elif assignee_type == "assigned":
        found = (c for c in found if c.assignee_id is not None)
    number = to_int(ctx.params.get("page"))
    start = ((number if number and number > 0 else 1) - 1) * size
    return list(islice(found, start, start + size)), index.counts(groups, user_id)
