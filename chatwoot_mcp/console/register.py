"""At start-up, register (or update) the console's own account webhook when the configured token is an
administrator's, so nobody has to click through Chatwoot's settings; otherwise say what to configure.

Account set-up is not a conversation action, so no MCP tool covers it: this is the console's one direct use of
the Chatwoot client, with the operator's token (never a signed-in person's)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from chatwoot_mcp.client import ChatwootClient
from chatwoot_mcp.client.errors import ChatwootError
from chatwoot_mcp.config import Settings

logger = logging.getLogger(__name__)

EVENTS = [
    "conversation_created",
    "conversation_status_changed",
    "conversation_updated",
    "message_created",
    "message_updated",
]
WEBHOOK_NAME = "chatwoot-console"


@dataclass(frozen=True)
class Registration:
    registered: bool
    action: str = ""  # "criado" | "atualizado" | "já estava em dia"
    secret: str | None = None
    problem: str | None = None  # "not_admin" or an error description


async def register_webhook(settings: Settings, url: str) -> Registration:
    if settings.chatwoot_url is None or settings.api_token is None or settings.account_id is None:
        return Registration(False, problem="not_admin")
    try:
        async with ChatwootClient(settings.chatwoot_url, settings.api_token, settings.account_id) as cw:
            profile = await cw.profile.get()
            account = next((a for a in profile.accounts if a.id == settings.account_id), None)
            role = account.role if account is not None else profile.role
            if role != "administrator":
                return Registration(False, problem="not_admin")
            hooks = await cw.webhooks.list()
            mine = next((h for h in hooks if h.url == url), None)
            if mine is None:
                hook = await cw.webhooks.create(url=url, subscriptions=EVENTS, name=WEBHOOK_NAME)
                action = "criado"
            elif set(EVENTS) <= set(mine.subscriptions):
                hook, action = mine, "já estava em dia"
            else:
                wanted = sorted(set(mine.subscriptions) | set(EVENTS))
                hook = await cw.webhooks.update(mine.id, subscriptions=wanted)
                action = "atualizado"
    except ChatwootError as exc:
        return Registration(False, problem=str(exc))
    secret = hook.secret.get_secret_value() if hook.secret is not None else None
    return Registration(True, action=action, secret=secret or None)
