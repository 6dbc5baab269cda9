"""Drive the sandbox as Chatwoot and the customer, and run the bot on a real port, for end-to-end tests."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import anyio
import httpx2
import uvicorn
from starlette.applications import Starlette

from bot.app import create_app
from bot.brain.base import Responder
from bot.settings import BotSettings
from bot.store.base import Store
from chatwoot_mcp.config import Settings
from tests.conftest import Sandbox

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def eventually(probe: Callable[[], Awaitable[T | None]], *, timeout: float = 10.0, interval: float = 0.05) -> T:
    """Poll `probe` until it returns something truthy; fail with the last value after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    value = await probe()
    while not value:
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")
        await anyio.sleep(interval)
        value = await probe()
    return value


class Chatwoot:
    """The sandbox seen from a test: admin API, control API and the customer's public API, all async."""

    def __init__(self, sandbox: Sandbox, http: httpx2.AsyncClient) -> None:
        self.sandbox = sandbox
        self.http = http

    async def api(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> httpx2.Response:
        url = f"{self.sandbox.base_url}/api/v1/accounts/{self.sandbox.account_id}/{path.lstrip('/')}"
        headers = {"api_access_token": token or self.sandbox.admin_token}
        return await self.http.request(method, url, headers=headers, **kwargs)

    async def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.http.request(method, f"{self.sandbox.base_url}/_sandbox/{path}", **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    async def conversation(self, display_id: int) -> dict[str, Any]:
        state = await self.control("GET", "state")
        return next(c for c in state["conversations"] if c["id"] == display_id)

    async def bot_replies(self, display_id: int) -> list[dict[str, Any]]:
        messages = (await self.conversation(display_id))["messages"]
        return [
            m
            for m in messages
            if m["message_type"] == "outgoing" and not m["private"] and m["sender_type"] == "AgentBot"
        ]

    async def private_notes(self, display_id: int) -> list[dict[str, Any]]:
        return [m for m in (await self.conversation(display_id))["messages"] if m["private"]]

    async def deliveries(self, display_id: int | None = None, event: str | None = None) -> list[dict[str, Any]]:
        log = await self.control("GET", "deliveries")
        return [
            d
            for d in log
            if (display_id is None or d["conversation_id"] == display_id) and (event is None or d["event"] == event)
        ]

    async def deliveries_settled(self) -> bool:
        return all(record["done"] for record in await self.control("GET", "deliveries"))

    async def delivered(self, display_id: int, message_id: int) -> bool:
        """The AgentBot delivery of this message got its final answer."""
        for record in await self.deliveries(display_id, "message_created"):
            if record["message_id"] == message_id and record["kind"] == "agent_bot" and record["done"]:
                return True
        return False

    async def bot_secret(self) -> str:
        response = await self.api("POST", f"agent_bots/{self.sandbox.agent_bot_id}/reset_secret")
        response.raise_for_status()
        return str(response.json()["secret"])

    async def point_bot_at(self, url: str) -> None:
        response = await self.api("PATCH", f"agent_bots/{self.sandbox.agent_bot_id}", json={"outgoing_url": url})
        response.raise_for_status()

    async def take_over(self, display_id: int, agent_index: int = 0) -> None:
        """What a human does in the dashboard: assign the conversation to themselves and open it."""
        agent = self.sandbox.agent("agent", agent_index)
        response = await self.api("POST", f"conversations/{display_id}/assignments", json={"assignee_id": agent["id"]})
        response.raise_for_status()
        response = await self.api("POST", f"conversations/{display_id}/toggle_status", json={"status": "open"})
        response.raise_for_status()

    async def agent_says(self, display_id: int, content: str, agent_index: int = 0) -> int:
        token = self.sandbox.agent("agent", agent_index)["access_token"]
        response = await self.api(
            "POST",
            f"conversations/{display_id}/messages",
            token=token,
            json={"content": content, "message_type": "outgoing"},
        )
        response.raise_for_status()
        return int(response.json()["id"])


class Customer:
    """A customer writing through the API inbox's public client API."""

    def __init__(self, chatwoot: Chatwoot, inbox: str = "Site", name: str = "Maria Cliente") -> None:
        self.chatwoot = chatwoot
        self.identifier = chatwoot.sandbox.inbox(inbox)["inbox_identifier"]
        self.name = name
        self.source_id: str | None = None
        self.conversation_id: int | None = None

    @property
    def base(self) -> str:
        return f"{self.chatwoot.sandbox.base_url}/public/api/v1/inboxes/{self.identifier}"

    async def start(self) -> int:
        http = self.chatwoot.http
        contact = await http.post(f"{self.base}/contacts", json={"name": self.name})
        contact.raise_for_status()
        self.source_id = contact.json()["source_id"]
        conversation = await http.post(f"{self.base}/contacts/{self.source_id}/conversations", json={})
        conversation.raise_for_status()
        self.conversation_id = int(conversation.json()["id"])
        return self.conversation_id

    async def say(self, content: str) -> int:
        url = f"{self.base}/contacts/{self.source_id}/conversations/{self.conversation_id}/messages"
        response = await self.chatwoot.http.post(url, json={"content": content})
        response.raise_for_status()
        return int(response.json()["id"])


def chatwoot_settings(sandbox: Sandbox, secret: str | None) -> Settings:
    return Settings(
        chatwoot_url=sandbox.base_url,
        api_token=sandbox.admin_token,
        account_id=sandbox.account_id,
        bot_token=sandbox.bot_token,
        webhook_secret=secret,
    )


def bot_settings(sandbox: Sandbox, secret: str | None, database_url: str, **overrides: Any) -> BotSettings:
    values: dict[str, Any] = {
        "debounce_seconds": 0.2,
        "database_url": database_url,
        "port": free_port(),
        "retry_base_seconds": 0.05,
        # A failed post is settled (found, or known lost) within this: the sandbox answers at once.
        "settle_seconds": 0.5,
    }
    return BotSettings(chatwoot=chatwoot_settings(sandbox, secret), **(values | overrides))


@asynccontextmanager
async def running_bot(
    chatwoot: Chatwoot,
    settings: BotSettings,
    *,
    responder: Responder | None = None,
    store: Store | None = None,
) -> AsyncIterator[Starlette]:
    """The bot's app under uvicorn on a real port, with the sandbox's AgentBot delivering to it."""
    app = create_app(settings, responder=responder, store=store)
    config = uvicorn.Config(app, host="127.0.0.1", port=settings.port, log_config=None, access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve)
        with anyio.fail_after(10):
            while not server.started:
                await anyio.sleep(0.02)
        await chatwoot.point_bot_at(f"http://127.0.0.1:{settings.port}/webhooks/chatwoot")
        try:
            yield app
            # Let the sandbox finish delivering to this bot: a delivery that fails after the bot is gone makes
            # the sandbox open the conversation, and ids are reused after the next test's reset.
            await eventually(chatwoot.deliveries_settled, timeout=10)
        finally:
            server.should_exit = True


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/bot.sqlite3"


async def jobs_done(app: object, count: int) -> bool:
    """All `count` jobs were stored (every webhook arrived) and none is pending."""
    store = app.state.store  # type: ignore[attr-defined]
    return await store.count_jobs() == count and await store.count_jobs("pending") == 0


async def all_done(app: object) -> bool:
    store = app.state.store  # type: ignore[attr-defined]
    # the total first: a job inserted between the two reads then shows as pending, never as "all done"
    total = await store.count_jobs()
    return total > 0 and await store.count_jobs("pending") == 0


async def status_is(chatwoot: Chatwoot, cid: int, status: str) -> bool:
    return (await chatwoot.conversation(cid))["status"] == status
