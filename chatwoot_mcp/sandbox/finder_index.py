"""ConversationFinder's common requests (status, inbox, assignee type, a message search, newest activity first)
answered from the store's indexes, so a list page or a search costs the same with 10,000 conversations as with 100."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from .parsing import present, to_int
from .routing import Ctx
from .state import INCOMING, OUTGOING, STATUSES, Conversation

# Any of these makes the request one for the finder's full scan (api_conversations._finder).
SCANNED_PARAMS = ("team_id", "labels", "updated_within", "conversation_type", "source_id")
INDEXED_SORTS = {"", "last_activity_at_desc", "latest"}


def _inbox_ids(ctx: Ctx) -> list[int] | None:
    """The inboxes the request may see, or None when the index cannot answer it."""
    params = ctx.params
    if any(present(params.get(key)) for key in SCANNED_PARAMS):
        return None
    if str(params.get("sort_by") or "") not in INDEXED_SORTS:
        return None
    if not isinstance(params.get("status", ""), str) or not isinstance(params.get("q", ""), str):
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
    return inbox_ids


def _groups(ctx: Ctx, inbox_ids: list[int]) -> list[tuple[int, int, str]]:
    status = ctx.params.get("status")
    statuses: tuple[str, ...] = STATUSES if status == "all" else (status if present(status) else "open",)
    return ctx.store.conversation_index.keys(ctx.account_id, inbox_ids, statuses)


def _searched(ctx: Ctx, inbox_ids: list[int]) -> list[Conversation] | None:
    """Conversations with an incoming or outgoing message containing `q` (every status, as the finder skips the
    status filter then), newest activity first; None when `q` is too short for the trigram index."""
    needle = str(ctx.params["q"]).lower()
    candidates = ctx.store.message_index.candidates(ctx.account_id, needle)
    if candidates is None:
        return None
    messages, conversations = ctx.store.messages, ctx.store.conversations
    allowed = set(inbox_ids)
    found: dict[int, Conversation] = {}
    for message_id in candidates:
        message = messages[message_id]
        if message.conversation_id in found or message.message_type not in (INCOMING, OUTGOING):
            continue
        conv = conversations[message.conversation_id]
        if conv.account_id == ctx.account_id and conv.inbox_id in allowed and needle in (message.content or "").lower():
            found[conv.id] = conv
    return sorted(found.values(), key=lambda c: (c.last_activity_at, c.id), reverse=True)


def _counts(convs: Iterable[Conversation], user_id: int | None) -> dict[str, int]:
    mine = assigned = unassigned = 0
    for conv in convs:
        if not conv.assigned:
            unassigned += 1
        else:
            assigned += 1
            mine += conv.assignee_id == user_id
    return {
        "mine_count": mine,
        "assigned_count": assigned,
        "unassigned_count": unassigned,
        "all_count": assigned + unassigned,
    }


def _listing(ctx: Ctx) -> tuple[Iterator[Conversation], dict[str, int]] | None:
    inbox_ids = _inbox_ids(ctx)
    if inbox_ids is None:
        return None
    user_id = ctx.user.id if ctx.user else None
    if present(ctx.params.get("q")):
        searched = _searched(ctx, inbox_ids)
        if searched is None:
            return None
        return iter(searched), _counts(searched, user_id)
    groups = _groups(ctx, inbox_ids)
    index, conversations = ctx.store.conversation_index, ctx.store.conversations
    return (conversations[i] for i in index.newest_first(groups)), index.counts(groups, user_id)


def counts(ctx: Ctx) -> dict[str, int] | None:
    """The list's meta counts, or None when the request needs the full scan."""
    listing = _listing(ctx)
    return listing[1] if listing is not None else None


def page(ctx: Ctx, size: int) -> tuple[list[Conversation], dict[str, int]] | None:
    """One page of the list and its counts, or None when the request needs the full scan."""
    listing = _listing(ctx)
    if listing is None:
        return None
    found, totals = listing
    user_id = ctx.user.id if ctx.user else None
    assignee_type = ctx.params.get("assignee_type")
    if assignee_type == "me":
        found = (c for c in found if c.assignee_id is not None and c.assignee_id == user_id)
    elif assignee_type == "unassigned":
        found = (c for c in found if not c.assigned)
    elif assignee_type == "assigned":
        found = (c for c in found if c.assigned)
    number = to_int(ctx.params.get("page"))
    start = ((number if number and number > 0 else 1) - 1) * size
    return list(islice(found, start, start + size)), totals
