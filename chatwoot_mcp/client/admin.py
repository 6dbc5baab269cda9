"""`cw.agent_bots` and `cw.webhooks`: account set-up endpoints that need an administrator token."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._resource import Resource, ident
from .models import AgentBot, Webhook

__all__ = ["AgentBots", "Webhooks"]


def _present(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


class AgentBots(Resource):
    def _path(self, bot_id: int | None = None, suffix: str = "") -> str:
        base = f"{self._account}/agent_bots"
        return base if bot_id is None else f"{base}/{ident(bot_id, 'bot_id')}{suffix}"

    async def list(self) -> list[AgentBot]:
        path = self._path()
        return self._parse(list[AgentBot], await self._call("GET", path), "GET", path)

    async def get(self, bot_id: int) -> AgentBot:
        path = self._path(bot_id)
        return self._parse(AgentBot, await self._call("GET", path), "GET", path)

    async def create(
        self,
        *,
        name: str,
        outgoing_url: str | None = None,
        description: str | None = None,
        avatar_url: str | None = None,
        bot_config: Mapping[str, Any] | None = None,
    ) -> AgentBot:
        path = self._path()
        body = _present(
            name=name, outgoing_url=outgoing_url, description=description, avatar_url=avatar_url,
            bot_config=None if bot_config is None else dict(bot_config),
        )  # fmt: skip
        return self._parse(AgentBot, await self._call("POST", path, json_body=body), "POST", path)

    async def update(
        self,
        bot_id: int,
        *,
        name: str | None = None,
        outgoing_url: str | None = None,
        description: str | None = None,
        avatar_url: str | None = None,
        bot_config: Mapping[str, Any] | None = None,
    ) -> AgentBot:
        """Change the given fields only."""
        path = self._path(bot_id)
        body = _present(
            name=name, outgoing_url=outgoing_url, description=description, avatar_url=avatar_url,
            bot_config=None if bot_config is None else dict(bot_config),
        )  # fmt: skip
        return self._parse(AgentBot, await self._call("PATCH", path, json_body=body), "PATCH", path)

    async def delete(self, bot_id: int) -> None:
        await self._call("DELETE", self._path(bot_id))

    async def reset_secret(self, bot_id: int) -> AgentBot:
        """New webhook signing secret for the bot (Chatwoot 4.13+); the bot with its new `secret`."""
        path = self._path(bot_id, "/reset_secret")
        return self._parse(AgentBot, await self._call("POST", path), "POST", path)

    async def reset_access_token(self, bot_id: int) -> AgentBot:
        path = self._path(bot_id, "/reset_access_token")
        return self._parse(AgentBot, await self._call("POST", path), "POST", path)


def _webhook_body(data: Any) -> Any:
    # Chatwoot answers {"payload": {"webhook": {...}}}; accept the bare object too.
    if isinstance(data, dict) and isinstance(data.get("payload"), dict):
        data = data["payload"]
    if isinstance(data, dict) and isinstance(data.get("webhook"), dict):
        data = data["webhook"]
    return data


class Webhooks(Resource):
    def _path(self, webhook_id: int | None = None) -> str:
        base = f"{self._account}/webhooks"
        return base if webhook_id is None else f"{base}/{ident(webhook_id, 'webhook_id')}"

    async def list(self) -> list[Webhook]:
        path = self._path()
        data = await self._call("GET", path)
        if isinstance(data, dict) and isinstance(data.get("payload"), dict):
            data = data["payload"].get("webhooks")
        return self._parse(list[Webhook], data, "GET", path)

    async def create(
        self,
        *,
        url: str,
        subscriptions: Iterable[str],
        name: str | None = None,
        inbox_id: int | None = None,
    ) -> Webhook:
        path = self._path()
        fields = _present(
            url=url, subscriptions=list(subscriptions), name=name,
            inbox_id=None if inbox_id is None else ident(inbox_id, "inbox_id"),
        )  # fmt: skip
        data = await self._call("POST", path, json_body={"webhook": fields})
        return self._parse(Webhook, _webhook_body(data), "POST", path)

    async def update(
        self,
        webhook_id: int,
        *,
        url: str | None = None,
        subscriptions: Iterable[str] | None = None,
        name: str | None = None,
    ) -> Webhook:
        """Change the given fields only."""
        path = self._path(webhook_id)
        fields = _present(url=url, subscriptions=None if subscriptions is None else list(subscriptions), name=name)
        data = await self._call("PATCH", path, json_body={"webhook": fields})
        return self._parse(Webhook, _webhook_body(data), "PATCH", path)

    async def delete(self, webhook_id: int) -> None:
        await self._call("DELETE", self._path(webhook_id))
