"""A conversation's participants (Api::V1::Accounts::Conversations::ParticipantsController): `show`, `create`,
`update` and `destroy` by `user_ids`, each participant rendered as the agent partial."""

from __future__ import annotations

from typing import Any

from . import render
from .errors import unprocessable
from .parsing import to_int
from .routing import CONV, EMPTY, Ctx, Reply, Router
from .state import Conversation


def _user_ids(ctx: Ctx) -> list[int]:
    """`params[:user_ids]` as ids of the account's users; Chatwoot fails on a missing list with a 500, the sandbox
    with the ParameterMissing 422. An id no user of the account has is left out (its record would not save)."""
    value = ctx.params.get("user_ids")
    if not isinstance(value, list):
        raise unprocessable("param is missing or the value is empty: user_ids")
    ids = [to_int(item) for item in value]
    users = ctx.store.users
    return [i for i in dict.fromkeys(ids) if i is not None and i in users and ctx.account_id in users[i].account_ids]


def _render(ctx: Ctx, user_ids: list[int]) -> list[dict[str, Any]]:
    return [render.agent(ctx.store.users[i], ctx.account_id) for i in user_ids if i in ctx.store.users]


def _add(conv: Conversation, user_ids: list[int]) -> list[int]:
    """`find_or_create_by(user_id:)` for each: the ids not yet participating are appended."""
    added = [i for i in user_ids if i not in conv.participant_ids]
    conv.participant_ids = [*conv.participant_ids, *added]
    return added


async def show(ctx: Ctx) -> Reply:
    return 200, _render(ctx, ctx.conversation().participant_ids)


async def create(ctx: Ctx) -> Reply:
    """Answers only the participants this request added (`params[:user_ids] - current_participant_ids`)."""
    conv = ctx.conversation()
    return 200, _render(ctx, _add(conv, _user_ids(ctx)))


async def update(ctx: Ctx) -> Reply:
    """The list becomes the participants: the new ones added, the missing ones removed; answers them all."""
    conv = ctx.conversation()
    wanted = _user_ids(ctx)
    _add(conv, wanted)
    conv.participant_ids = [i for i in conv.participant_ids if i in wanted]
    return 200, _render(ctx, conv.participant_ids)


async def destroy(ctx: Ctx) -> Reply:
    conv = ctx.conversation()
    gone = set(_user_ids(ctx))
    conv.participant_ids = [i for i in conv.participant_ids if i not in gone]
    return 200, EMPTY


def register(router: Router) -> None:
    path = CONV + r"/participants"
    router.add("GET", path, show, "conversations/participants", "show")
    router.add("POST", path, create, "conversations/participants", "create")
    router.add("PATCH", path, update, "conversations/participants", "update")
    router.add("PUT", path, update, "conversations/participants", "update")
    router.add("DELETE", path, destroy, "conversations/participants", "destroy")
