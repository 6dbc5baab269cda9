"""Access-token authentication, the AgentBot allow-list and the account check, in Chatwoot's order."""

from __future__ import annotations

from .errors import (
    BOT_ACCOUNT,
    BOT_ENDPOINT,
    INVALID_TOKEN,
    NOT_IN_ACCOUNT,
    SIGN_IN,
    not_found,
    unauthorized,
)
from .state import AgentBot, Store, User

# AccessTokenAuthHelper::BOT_ACCESSIBLE_ENDPOINTS
BOT_ACCESSIBLE = {
    "conversations": {
        "show",
        "toggle_status",
        "toggle_typing_status",
        "toggle_priority",
        "create",
        "update",
        "custom_attributes",
    },
    "conversations/messages": {"create"},
    "conversations/assignments": {"create"},
    "conversations/labels": {"index", "create"},
}


def authenticate(store: Store, token: str | None, controller: str, action: str) -> User | AgentBot:
    if token is None:
        raise unauthorized(SIGN_IN)
    owner = store.token_owner(token)
    if owner is None:
        raise unauthorized(INVALID_TOKEN)
    if isinstance(owner, AgentBot) and action not in BOT_ACCESSIBLE.get(controller, set()):
        raise unauthorized(BOT_ENDPOINT)
    return owner


def check_account(store: Store, actor: User | AgentBot, account_id: int | None) -> int:
    """EnsureCurrentAccountHelper: unknown account 404, foreign account 401."""
    if account_id is None or account_id not in store.accounts:
        raise not_found()
    if isinstance(actor, AgentBot):
        in_inbox = any(i.agent_bot_id == actor.id and i.account_id == account_id for i in store.inboxes.values())
        if actor.account_id != account_id and not in_inbox:
            raise unauthorized(BOT_ACCOUNT)
    elif account_id not in actor.account_ids:
        raise unauthorized(NOT_IN_ACCOUNT)
    return account_id


def token_kind(store: Store, token: str | None) -> str:
    """For the request log: admin, agent, bot, unknown or none."""
    if token is None:
        return "none"
    owner = store.token_owner(token)
    if owner is None:
        return "unknown"
    if isinstance(owner, AgentBot):
        return "bot"
    return "admin" if owner.is_admin else "agent"
