"""`cw.inboxes`: list and read inboxes, and connect or detach their AgentBot."""

from __future__ import annotations

from ._resource import Resource, ident
from .models import AgentBot, Inbox


class Inboxes(Resource):
    async def list(self) -> list[Inbox]:
        path = f"{self._account}/inboxes"
        data = await self._call("GET", path)
        return self._parse(list[Inbox], self._field(data, "payload", "GET", path), "GET", path)

    async def get(self, inbox_id: int) -> Inbox:
        path = f"{self._account}/inboxes/{ident(inbox_id, 'inbox_id')}"
        return self._parse(Inbox, await self._call("GET", path), "GET", path)

    async def agent_bot(self, inbox_id: int) -> AgentBot | None:
        """The inbox's AgentBot, or None when no bot is connected."""
        path = f"{self._account}/inboxes/{ident(inbox_id, 'inbox_id')}/agent_bot"
        data = await self._call("GET", path)
        # Chatwoot wraps it as {"agent_bot": {...}}; an inbox without a bot gives an empty or null object.
        if isinstance(data, dict) and "agent_bot" in data and "id" not in data:
            data = data["agent_bot"]
        if not data:
            return None
        return self._parse(AgentBot, data, "GET", path)

    async def set_agent_bot(self, inbox_id: int, bot_id: int | None) -> None:
        """Connect AgentBot `bot_id` to the inbox; None detaches the current bot."""
        path = f"{self._account}/inboxes/{ident(inbox_id, 'inbox_id')}/set_agent_bot"
        body = {"agent_bot": None if bot_id is None else ident(bot_id, "bot_id")}
        await self._call("POST", path, json_body=body, retry=True)
