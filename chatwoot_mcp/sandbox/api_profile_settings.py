"""`PATCH /api/v1/profile/availability` and `/profile/auto_offline` (ProfilesController#availability,
#auto_offline): the signed-in user's availability and auto-offline flag in an account they belong to."""

from __future__ import annotations

from typing import Any

from . import render
from .errors import not_found, unprocessable
from .parsing import to_bool, to_int
from .routing import Ctx, Reply, Router
from .state import User

AVAILABILITIES = ("online", "busy", "offline")


def _profile_params(ctx: Ctx) -> tuple[User, dict[str, Any]]:
    """`params.require(:profile)` and the account user of `profile[:account_id]` (404 for another account)."""
    user = ctx.user
    given = ctx.params.get("profile")
    if user is None or not isinstance(given, dict):
        raise unprocessable("param is missing or the value is empty: profile")
    if to_int(given.get("account_id")) not in user.account_ids:
        raise not_found()
    return user, given


async def availability(ctx: Ctx) -> Reply:
    user, given = _profile_params(ctx)
    value = given.get("availability")
    if value not in AVAILABILITIES:
        raise unprocessable(f"'{value}' is not a valid availability")
    user.availability_status = str(value)
    return 200, render.profile(ctx.store, user)


async def auto_offline(ctx: Ctx) -> Reply:
    """`update!(auto_offline: params[:profile][:auto_offline] || false)`."""
    user, given = _profile_params(ctx)
    user.auto_offline = to_bool(given.get("auto_offline") or False)
    return 200, render.profile(ctx.store, user)


def register(router: Router) -> None:
    router.add("PATCH", r"/api/v1/profile/availability", availability, "profiles", "availability", scope="profile")
    router.add("PATCH", r"/api/v1/profile/auto_offline", auto_offline, "profiles", "auto_offline", scope="profile")
