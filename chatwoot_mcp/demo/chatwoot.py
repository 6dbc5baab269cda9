"""The demo's view of the sandbox: its state through the REST and control APIs, and customers writing in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
import httpx2

from chatwoot_mcp.demo.processes import DemoFailed

T = TypeVar("T")

OUTGOING = 1  # Chatwoot's REST message_type for outgoing messages
INCOMING = 0


async def wait_until(check: Callable[[], Awaitable[T | None]], *, timeout: float, what: str) -> T:
    """Poll `check` until it returns something other than None (or False), or fail after `timeout` s."""
    try:
        with anyio.fail_after(timeout):
            while True:
                found = await check()
                if found is not None and found is not False:
                    return found
                await anyio.sleep(0.05)
    except TimeoutError:
        raise DemoFailed(f"timed out after {timeout:g} s waiting for: {what}") from None


class Chatwoot:
    """Reads of the sandbox's state through its Chatwoot REST API (as the administrator) and control API."""

    def __init__(self, http: httpx2.AsyncClient, info: dict[str, Any]) -> None:
        self.http = http
        self.base_url = info["base_url"]
        self.account_id = info["account_id"]
        self.headers = {"api_access_token": info["admin_token"]}

    async def _get(self, path: str) -> Any:
        url = f"{self.base_url}/api/v1/accounts/{self.account_id}/{path}"
        response = await self.http.get(url, headers=self.headers)
        response.raise_for_status()
        return response.json()

    async def conversation(self, conversation_id: int) -> dict[str, Any]:
        return dict(await self._get(f"conversations/{conversation_id}"))

    async def messages(self, conversation_id: int) -> list[dict[str, Any]]:
        return list((await self._get(f"conversations/{conversation_id}/messages"))["payload"])

    async def set_outgoing_url(self, bot_id: int, url: str | None) -> None:
        response = await self.http.patch(
            f"{self.base_url}/api/v1/accounts/{self.account_id}/agent_bots/{bot_id}",
            headers=self.headers,
            json={"outgoing_url": url},
        )
        response.raise_for_status()

    async def agent_bot_secret(self, bot_id: int) -> str | None:
        bot = await self._get(f"agent_bots/{bot_id}")
        return bot.get("secret") or None

    async def deliveries(self) -> list[dict[str, Any]]:
        response = await self.http.get(f"{self.base_url}/_sandbox/deliveries")
        response.raise_for_status()
        return list(response.json())

    async def bot_replies_after(self, conversation_id: int, message_id: int) -> list[dict[str, Any]]:
        """Customer-visible messages the AgentBot posted after message `message_id`."""
        return [
            m
            for m in await self.messages(conversation_id)
            if m["id"] > message_id
            and m["message_type"] == OUTGOING
            and not m.get("private")
            and (m.get("sender") or {}).get("type") == "agent_bot"
        ]

    async def notices(self, conversation_id: int) -> list[str]:
        """Customer-visible messages sent by people (users), such as the take-over and hand-back notices."""
        return [
            m.get("content") or ""
            for m in await self.messages(conversation_id)
            if m["message_type"] == OUTGOING and not m.get("private") and (m.get("sender") or {}).get("type") == "user"
        ]

    async def private_notes(self, conversation_id: int) -> list[str]:
        return [m.get("content") or "" for m in await self.messages(conversation_id) if m.get("private")]


class Customer:
    """A customer writing through the public client API of an API inbox, as a channel would."""

    def __init__(self, http: httpx2.AsyncClient, base_url: str, inbox_identifier: str, name: str) -> None:
        self.http = http
        self.root = f"{base_url}/public/api/v1/inboxes/{inbox_identifier}"
        self.name = name
        self.contact: str | None = None
        self.conversation_id: int | None = None

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.post(f"{self.root}{path}", json=body)
        response.raise_for_status()
        return dict(response.json())

    async def start(self) -> int:
        contact = await self._post("/contacts", {"name": self.name})
        self.contact = str(contact["source_id"])
        conversation = await self._post(f"/contacts/{self.contact}/conversations", {})
        self.conversation_id = int(conversation["id"])
        return self.conversation_id

    async def say(self, text: str) -> int:
        """Send a message; returns its id."""
        if self.conversation_id is None:
            await self.start()
        message = await self._post(
            f"/contacts/{self.contact}/conversations/{self.conversation_id}/messages", {"content": text}
        )
        return int(message["id"])
