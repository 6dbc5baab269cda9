"""`Api::V1::Accounts::InboxMembersController`: an inbox's agents listed, added, replaced and removed."""

from __future__ import annotations

from typing import Any

from . import render
from .errors import forbidden_action, not_found, record_invalid, unprocessable
from .parsing import to_int
from .routing import ACCOUNT, EMPTY, Ctx, Reply, Router
from .state import Inbox

MEMBERS = ACCOUNT + r"/inbox_members"


def _inbox(ctx: Ctx, inbox_id: Any) -> Inbox:
    """`Current.account.inboxes.find(params[:inbox_id])`: 404 for a missing or foreign inbox."""
    wanted = to_int(inbox_id)
    inbox = ctx.store.inboxes.get(wanted) if wanted is not None else None
    if inbox is None or inbox.account_id != ctx.account_id:
        raise not_found()
    return inbox


def _payload(ctx: Ctx, inbox: Inbox) -> dict[str, Any]:
    """The members view: `json.payload` with each member as the agent partial, by user id."""
    users = ctx.store.account_users(ctx.account_id)
    return {
        "payload": [
            render.agent(u, ctx.account_id) for u in sorted(users, key=lambda u: u.id) if u.id in inbox.member_ids
        ]
    }


def _user_ids(ctx: Ctx) -> list[Any]:
    """`params[:user_ids]`; Chatwoot fails on a missing list with a 500, the sandbox with the ParameterMissing 422."""
    value = ctx.params.get("user_ids")
    if not isinstance(value, list):
        raise unprocessable("param is missing or the value is empty: user_ids")
    return value


def _add(ctx: Ctx, inbox: Inbox, user_ids: list[Any]) -> None:
    """Inbox#add_members: `inbox_members.create!` for each, in one transaction (all or none)."""
    wanted = [to_int(u) for u in user_ids]
    if any(u is None or u not in ctx.store.users for u in wanted):
        raise record_invalid(["User must exist"], ["user"])
    inbox.member_ids.update(u for u in wanted if u is not None)


def _admin_inbox(ctx: Ctx) -> Inbox:
    inbox = _inbox(ctx, ctx.params.get("inbox_id"))
    if not ctx.is_admin:  # InboxPolicy#create?, #update?, #destroy?
        raise forbidden_action()
    return inbox


async def show(ctx: Ctx) -> Reply:
    inbox = _inbox(ctx, ctx.path["inbox_id"])
    user = ctx.user
    if user is not None and not user.is_admin and user.id not in inbox.member_ids:
        raise forbidden_action()
    return 200, _payload(ctx, inbox)


async def create(ctx: Ctx) -> Reply:
    inbox = _admin_inbox(ctx)
    _add(ctx, inbox, [u for u in _user_ids(ctx) if to_int(u) not in inbox.member_ids])
    return 200, _payload(ctx, inbox)


async def update(ctx: Ctx) -> Reply:
    """The given list becomes the members: the new ones added, the missing ones removed."""
    inbox = _admin_inbox(ctx)
    user_ids = _user_ids(ctx)
    _add(ctx, inbox, [u for u in user_ids if to_int(u) not in inbox.member_ids])
    inbox.member_ids.intersection_update({to_int(u) for u in user_ids})
    return 200, _payload(ctx, inbox)


async def destroy(ctx: Ctx) -> Reply:
    """Inbox#remove_members: `inbox_members.find_by!(user_id:)` for each, so a non-member is a 404 (and none go)."""
    inbox = _admin_inbox(ctx)
    wanted = [to_int(u) for u in _user_ids(ctx)]
    if any(u is None or u not in inbox.member_ids for u in wanted):
        raise not_found()
    inbox.member_ids.difference_update(wanted)
    return 200, EMPTY


def register(router: Router) -> None:
    router.add("GET", MEMBERS + r"/(?P<inbox_id>[^/]+)", show, "inbox_members", "show")
    router.add("POST", MEMBERS, create, "inbox_members", "create")
    router.add("PATCH", MEMBERS, update, "inbox_members", "update")
    router.add("DELETE", MEMBERS, destroy, "inbox_members", "destroy")
