"""`GET` and `PATCH /api/v1/accounts/{id}` (Api::V1::AccountsController#show, #update): the account's name, locale,
domain, support e-mail, custom attributes and settings, changed by administrators; and the
`restrict_conversation_reassignment` setting as the assignments endpoint enforces it."""

from __future__ import annotations

from typing import Any

from . import request_locale
from .errors import forbidden_action, record_invalid
from .parsing import present, to_bool
from .render_common import iso
from .routing import ACCOUNT, Ctx, Reply, Router
from .state import Account, Conversation, User

DETAILS = ("locale", "domain", "support_email")
CUSTOM_ATTRIBUTES = ("industry", "company_size", "timezone")
# permitted_settings_attributes, with the reassignment restriction the assignments spec sets on the account
SETTINGS = (
    "auto_resolve_after",
    "auto_resolve_message",
    "auto_resolve_ignore_waiting",
    "audio_transcriptions",
    "auto_resolve_label",
    "autoload_conversation_history",
    "restrict_conversation_reassignment",
)
BOOLEAN_SETTINGS = frozenset(
    {
        "auto_resolve_ignore_waiting",
        "audio_transcriptions",
        "autoload_conversation_history",
        "restrict_conversation_reassignment",
    }
)
AUTO_RESOLVE_RANGE = (10, 1_439_856)  # minutes, Account's validation of auto_resolve_after


def render(ctx: Ctx, account: Account) -> dict[str, Any]:
    """The account as `api/v1/models/_account` renders it (swagger `account_detail`)."""
    details = account.details
    return {
        "id": account.id,
        "name": account.name,
        "locale": request_locale.of_account(details),
        "domain": details.get("domain"),
        "support_email": details.get("support_email"),
        "status": "active",
        "created_at": iso(details.setdefault("created_at", ctx.store.now())),
        "cache_keys": {"label": 0, "inbox": 0, "team": 0},
        "features": {},
        "settings": dict(account.settings),
        "custom_attributes": dict(details.get("custom_attributes", {})),
    }


async def show(ctx: Ctx) -> Reply:
    account = ctx.store.accounts[ctx.account_id]
    return 200, {**render(ctx, account), "latest_chatwoot_version": None}


def _setting(key: str, value: Any) -> Any:
    if key in BOOLEAN_SETTINGS:
        return to_bool(value)
    if key == "auto_resolve_after" and value is not None:
        minutes = int(value) if isinstance(value, (int, float)) or str(value).isdigit() else None
        low, high = AUTO_RESOLVE_RANGE
        if minutes is None or not low <= minutes <= high:
            raise record_invalid(
                [f"Auto resolve after must be between {low} and {high} minutes"], ["auto_resolve_after"]
            )
        return minutes
    return value


async def update(ctx: Ctx) -> Reply:
    """AccountPolicy#update?: administrators only; only the permitted keys are read, the rest dropped."""
    ctx.require_admin()
    account = ctx.store.accounts[ctx.account_id]
    params = ctx.params
    if "name" in params and not present(params.get("name")):
        raise record_invalid(["Name can't be blank"], ["name"])
    settings = {key: _setting(key, params[key]) for key in SETTINGS if key in params}
    if "name" in params:
        account.name = str(params["name"])
    account.details.update({key: params[key] for key in DETAILS if key in params})
    custom = {key: params[key] for key in CUSTOM_ATTRIBUTES if key in params}
    if custom:
        account.details["custom_attributes"] = {**account.details.get("custom_attributes", {}), **custom}
    account.settings.update(settings)
    return 200, render(ctx, account)


def check_reassignment(ctx: Ctx, conv: Conversation, assignee_id: int | None) -> None:
    """With `restrict_conversation_reassignment`, an agent may only take an unassigned conversation (no agent, no
    bot) for themselves; administrators and bots are not restricted (401 otherwise)."""
    account = ctx.store.accounts.get(ctx.account_id)
    if account is None or not account.settings.get("restrict_conversation_reassignment"):
        return
    actor = ctx.actor
    if not isinstance(actor, User) or ctx.is_admin:
        return
    unowned = conv.assignee_id in (None, actor.id) and conv.assignee_agent_bot_id is None
    if not (unowned and assignee_id == actor.id):
        raise forbidden_action()


def register(router: Router) -> None:
    router.add("GET", ACCOUNT, show, "accounts", "show")
    router.add("PATCH", ACCOUNT, update, "accounts", "update")
    router.add("PUT", ACCOUNT, update, "accounts", "update")
