"""Who can be given a conversation: an inbox's assignable agents and a team's members, as agent objects."""

from __future__ import annotations

from . import render
from .api_account import fetch_inbox
from .errors import not_found
from .parsing import to_int
from .routing import ACCOUNT, Ctx, Reply, Router


async def assignable_agents(ctx: Ctx) -> Reply:
    """Inbox#assignable_agents: the inbox's members, then the account's administrators, each once."""
    inbox = fetch_inbox(ctx)  # an agent outside the inbox gets 401 (InboxPolicy#show?)
    users = ctx.store.account_users(ctx.account_id)
    members = sorted((u for u in users if u.id in inbox.member_ids), key=lambda u: u.id)
    admins = [u for u in users if u.is_admin and u.id not in inbox.member_ids]
    return 200, {"payload": [render.agent(u, ctx.account_id) for u in members + admins]}


async def team_members(ctx: Ctx) -> Reply:
    team_id = to_int(ctx.path.get("team_id"))
    team = ctx.store.teams.get(team_id) if team_id is not None else None
    if team is None or team.account_id != ctx.account_id:
        raise not_found()
    users = {u.id: u for u in ctx.store.account_users(ctx.account_id)}
    return 200, [render.agent(users[i], ctx.account_id) for i in sorted(team.member_ids) if i in users]


def register(router: Router) -> None:
    inbox = ACCOUNT + r"/inboxes/(?P<inbox_id>[^/]+)"
    router.add("GET", inbox + r"/assignable_agents", assignable_agents, "inboxes", "assignable_agents")
    router.add("GET", ACCOUNT + r"/teams/(?P<team_id>[^/]+)/team_members", team_members, "team_members", "index")
