"""Account resources: profile, inboxes, agents, teams, agent bots, account webhooks."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlparse

from . import render
from .errors import ApiError, forbidden_action, not_found, record_invalid, unprocessable
from .parsing import present, str_list, to_int
from .routing import ACCOUNT, EMPTY, Ctx, Reply, Router
from .state import AgentBot, Inbox, Webhook

WEBHOOK_EVENTS = (
    "conversation_status_changed",
    "conversation_updated",
    "conversation_created",
    "contact_created",
    "contact_updated",
    "message_created",
    "message_updated",
    "webwidget_triggered",
    "inbox_created",
    "inbox_updated",
    "conversation_typing_on",
    "conversation_typing_off",
)


async def profile(ctx: Ctx) -> Reply:
    assert ctx.user is not None
    return 200, render.profile(ctx.store, ctx.user)


# ---- inboxes ------------------------------------------------------------------------------------


def fetch_inbox(ctx: Ctx) -> Inbox:
    """`Current.account.inboxes.find(params[:id])` then `authorize @inbox, :show?`."""
    inbox_id = to_int(ctx.path.get("inbox_id"))
    inbox = ctx.store.inboxes.get(inbox_id) if inbox_id is not None else None
    if inbox is None or inbox.account_id != ctx.account_id:
        raise not_found()
    user = ctx.user
    if user is not None and not user.is_admin and user.id not in inbox.member_ids:
        raise forbidden_action()
    return inbox


async def inboxes(ctx: Ctx) -> Reply:
    user = ctx.user
    assert user is not None
    found = [
        i
        for i in ctx.store.inboxes.values()
        if i.account_id == ctx.account_id and (user.is_admin or user.id in i.member_ids)
    ]
    found.sort(key=lambda i: (i.name.lower(), i.id))  # Inbox.order_by_name: lower(name)
    return 200, {"payload": [render.inbox(ctx.store, i, admin=user.is_admin) for i in found]}


async def inbox_show(ctx: Ctx) -> Reply:
    return 200, render.inbox(ctx.store, fetch_inbox(ctx), admin=ctx.is_admin)


async def inbox_agent_bot(ctx: Ctx) -> Reply:
    bot = ctx.store.inbox_bot(fetch_inbox(ctx))
    if bot is None:
        return 200, {"agent_bot": {}}  # the jbuilder block renders empty, not null
    return 200, {"agent_bot": render.agent_bot(bot, ctx.account_id, admin=ctx.is_admin)}


async def inbox_set_agent_bot(ctx: Ctx) -> Reply:
    inbox = fetch_inbox(ctx)
    ctx.require_admin()
    if "agent_bot" not in ctx.params:
        raise unprocessable("param is missing or the value is empty: agent_bot")
    bot_id = to_int(ctx.params.get("agent_bot"))
    if ctx.params.get("agent_bot") is None:
        inbox.agent_bot_id = None
        return 200, EMPTY
    bot = ctx.store.bots.get(bot_id) if bot_id is not None else None
    if bot is None or bot.account_id not in (None, ctx.account_id):
        raise not_found()
    inbox.agent_bot_id = bot.id
    return 200, EMPTY


async def inbox_reset_secret(ctx: Ctx) -> Reply:
    inbox = fetch_inbox(ctx)
    ctx.require_admin()
    inbox.secret = secrets.token_urlsafe(18)
    return 200, render.inbox(ctx.store, inbox, admin=True)


# ---- agents, teams -----------------------------------------------------------------------------


async def agents(ctx: Ctx) -> Reply:
    return 200, [render.agent(u, ctx.account_id) for u in ctx.store.account_users(ctx.account_id)]


async def teams(ctx: Ctx) -> Reply:
    found = [t for t in ctx.store.teams.values() if t.account_id == ctx.account_id]
    return 200, [render.team(ctx.store, t, ctx.user) for t in found]


async def team_show(ctx: Ctx) -> Reply:
    team_id = to_int(ctx.path.get("team_id"))
    found = ctx.store.teams.get(team_id) if team_id is not None else None
    if found is None or found.account_id != ctx.account_id:
        raise not_found()
    return 200, render.team(ctx.store, found, ctx.user)


# ---- agent bots ---------------------------------------------------------------------------------


def _bot(ctx: Ctx) -> AgentBot:
    bot_id = to_int(ctx.path.get("bot_id"))
    bot = ctx.store.bots.get(bot_id) if bot_id is not None else None
    if bot is None or bot.account_id not in (None, ctx.account_id):
        raise not_found()
    return bot


def _bot_fields(bot: AgentBot, params: dict[str, Any]) -> None:
    if "name" in params:
        bot.name = str(params["name"] or "")
    if "description" in params:
        bot.description = str(params["description"] or "")
    if "outgoing_url" in params:
        bot.outgoing_url = str(params["outgoing_url"]) if present(params["outgoing_url"]) else None
    if "bot_type" in params and present(params["bot_type"]):
        bot.bot_type = str(params["bot_type"])
    if isinstance(params.get("bot_config"), dict):
        bot.bot_config = params["bot_config"]
    if "avatar_url" in params and isinstance(params["avatar_url"], str):
        bot.avatar_url = params["avatar_url"]


async def bots_index(ctx: Ctx) -> Reply:
    found = [b for b in ctx.store.bots.values() if b.account_id in (None, ctx.account_id)]
    return 200, [render.agent_bot(b, ctx.account_id, admin=ctx.is_admin) for b in found]


async def bots_show(ctx: Ctx) -> Reply:
    return 200, render.agent_bot(_bot(ctx), ctx.account_id, admin=ctx.is_admin)


async def bots_create(ctx: Ctx) -> Reply:
    ctx.require_admin()
    if not present(ctx.params.get("name")):
        raise record_invalid(["Name can't be blank"], ["name"])
    bot = AgentBot(
        id=ctx.store.next_id("bot"),
        name="",
        description="",
        outgoing_url=None,
        secret=secrets.token_urlsafe(18),
        access_token=secrets.token_urlsafe(18),
        account_id=ctx.account_id,
    )
    _bot_fields(bot, ctx.params)
    ctx.store.bots[bot.id] = bot
    return 200, render.agent_bot(bot, ctx.account_id, admin=True)


async def bots_update(ctx: Ctx) -> Reply:
    ctx.require_admin()
    bot = _bot(ctx)
    if "name" in ctx.params and not present(ctx.params.get("name")):
        raise record_invalid(["Name can't be blank"], ["name"])
    _bot_fields(bot, ctx.params)
    return 200, render.agent_bot(bot, ctx.account_id, admin=True)


async def bots_destroy(ctx: Ctx) -> Reply:
    ctx.require_admin()
    bot = _bot(ctx)
    del ctx.store.bots[bot.id]
    for inbox in ctx.store.inboxes.values():
        if inbox.agent_bot_id == bot.id:
            inbox.agent_bot_id = None
    return 200, EMPTY


async def bots_reset_token(ctx: Ctx) -> Reply:
    ctx.require_admin()
    bot = _bot(ctx)
    bot.access_token = secrets.token_urlsafe(18)
    return 200, render.agent_bot(bot, ctx.account_id, admin=True)


async def bots_reset_secret(ctx: Ctx) -> Reply:
    ctx.require_admin()
    bot = _bot(ctx)
    bot.secret = secrets.token_urlsafe(18)
    return 200, render.agent_bot(bot, ctx.account_id, admin=True)


# ---- account webhooks ---------------------------------------------------------------------------


def _webhook(ctx: Ctx) -> Webhook:
    hook_id = to_int(ctx.path.get("webhook_id"))
    hook = ctx.store.webhooks.get(hook_id) if hook_id is not None else None
    if hook is None or hook.account_id != ctx.account_id:
        raise not_found()
    return hook


def _webhook_params(ctx: Ctx) -> dict[str, Any]:
    params = ctx.params.get("webhook")
    if not isinstance(params, dict):
        raise unprocessable("param is missing or the value is empty: webhook")
    return params


def _validate_webhook(ctx: Ctx, hook: Webhook) -> None:
    parsed = urlparse(hook.url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise record_invalid(["Url is invalid"], ["url"])
    others = [h for h in ctx.store.webhooks.values() if h.id != hook.id and h.account_id == hook.account_id]
    if any(h.url == hook.url for h in others):
        raise record_invalid(["Url has already been taken"], ["url"])
    if not hook.subscriptions or any(s not in WEBHOOK_EVENTS for s in hook.subscriptions):
        raise record_invalid(["Subscriptions Invalid events"], ["subscriptions"])


def _apply_webhook(hook: Webhook, params: dict[str, Any]) -> None:
    if "url" in params:
        hook.url = str(params["url"] or "")
    if "name" in params:
        hook.name = str(params["name"]) if params["name"] is not None else None
    if "subscriptions" in params:
        hook.subscriptions = str_list(params["subscriptions"])
    if "inbox_id" in params:
        hook.inbox_id = to_int(params["inbox_id"])


async def webhooks_index(ctx: Ctx) -> Reply:
    ctx.require_admin()
    found = [h for h in ctx.store.webhooks.values() if h.account_id == ctx.account_id]
    return 200, {"payload": {"webhooks": [render.webhook(ctx.store, h) for h in found]}}


async def webhooks_create(ctx: Ctx) -> Reply:
    ctx.require_admin()
    params = _webhook_params(ctx)
    hook = Webhook(
        0,
        ctx.account_id,
        "",
        None,
        [
            "conversation_created",
            "conversation_status_changed",
            "conversation_updated",
            "message_created",
            "message_updated",
            "webwidget_triggered",
        ],
        secrets.token_urlsafe(18),
    )
    _apply_webhook(hook, params)
    _validate_webhook(ctx, hook)
    hook.id = ctx.store.next_id("webhook")
    ctx.store.webhooks[hook.id] = hook
    return 200, {"payload": {"webhook": render.webhook(ctx.store, hook)}}


async def webhooks_update(ctx: Ctx) -> Reply:
    ctx.require_admin()
    hook = _webhook(ctx)
    params = _webhook_params(ctx)
    original = (hook.url, hook.name, list(hook.subscriptions), hook.inbox_id)
    _apply_webhook(hook, params)
    try:
        _validate_webhook(ctx, hook)
    except ApiError:
        hook.url, hook.name, hook.subscriptions, hook.inbox_id = original
        raise
    return 200, {"payload": {"webhook": render.webhook(ctx.store, hook)}}


async def webhooks_destroy(ctx: Ctx) -> Reply:
    ctx.require_admin()
    hook = _webhook(ctx)
    del ctx.store.webhooks[hook.id]
    return 200, EMPTY


def register(router: Router) -> None:
    inbox = ACCOUNT + r"/inboxes/(?P<inbox_id>[^/]+)"
    bot = ACCOUNT + r"/agent_bots/(?P<bot_id>[^/]+)"
    hook = ACCOUNT + r"/webhooks/(?P<webhook_id>[^/]+)"
    router.add("GET", r"/api/v1/profile", profile, "profiles", "show", scope="profile")
    router.add("GET", ACCOUNT + r"/inboxes", inboxes, "inboxes", "index")
    router.add("GET", inbox, inbox_show, "inboxes", "show")
    router.add("GET", inbox + r"/agent_bot", inbox_agent_bot, "inboxes", "agent_bot")
    router.add("POST", inbox + r"/set_agent_bot", inbox_set_agent_bot, "inboxes", "set_agent_bot")
    router.add("POST", inbox + r"/reset_secret", inbox_reset_secret, "inboxes", "reset_secret")
    router.add("GET", ACCOUNT + r"/agents", agents, "agents", "index")
    router.add("GET", ACCOUNT + r"/teams", teams, "teams", "index")
    router.add("GET", ACCOUNT + r"/teams/(?P<team_id>[^/]+)", team_show, "teams", "show")
    router.add("GET", ACCOUNT + r"/agent_bots", bots_index, "agent_bots", "index")
    router.add("POST", ACCOUNT + r"/agent_bots", bots_create, "agent_bots", "create")
    router.add("GET", bot, bots_show, "agent_bots", "show")
    router.add("PATCH", bot, bots_update, "agent_bots", "update")
    router.add("PUT", bot, bots_update, "agent_bots", "update")
    router.add("DELETE", bot, bots_destroy, "agent_bots", "destroy")
    router.add("POST", bot + r"/reset_access_token", bots_reset_token, "agent_bots", "reset_access_token")
    router.add("POST", bot + r"/reset_secret", bots_reset_secret, "agent_bots", "reset_secret")
    router.add("GET", ACCOUNT + r"/webhooks", webhooks_index, "webhooks", "index")
    router.add("POST", ACCOUNT + r"/webhooks", webhooks_create, "webhooks", "create")
    router.add("PATCH", hook, webhooks_update, "webhooks", "update")
    router.add("PUT", hook, webhooks_update, "webhooks", "update")
    router.add("DELETE", hook, webhooks_destroy, "webhooks", "destroy")
