"""`open_tool_session`: call the MCP tools from Python (the bot, the demo, dashboards) through a real MCP client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx2
from mcp import Client
from mcp.server import MCPServer
from mcp_types import CallToolResult, TextContent

from chatwoot_mcp.config import Settings
from chatwoot_mcp.server.app import build_server


class ToolCallFailed(Exception):
    """A tool reported an error; the message is the tool's sentence, meant to be acted on."""

    def __init__(self, message: str, *, tool: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.tool = tool


class ToolSession:
    """One open MCP client session: `await tools.call(name, **arguments)` returns the structured result."""

    def __init__(self, client: Client) -> None:
        self._client = client

    @property
    def client(self) -> Client:
        return self._client

    async def call(self, name: str, **arguments: Any) -> dict[str, Any]:
        result: CallToolResult = await self._client.call_tool(name, arguments)
        text = " ".join(block.text for block in result.content if isinstance(block, TextContent))
        if result.is_error:
            raise ToolCallFailed(_strip_prefix(text, name) or f"{name} failed", tool=name)
        if result.structured_content is None:
            raise ToolCallFailed(f"{name} returned no structured result", tool=name)
        return dict(result.structured_content)

    async def list_tool_names(self) -> list[str]:
        return [tool.name for tool in (await self._client.list_tools()).tools]


def _strip_prefix(text: str, name: str) -> str:
    prefix = f"Error executing tool {name}: "
    return text[len(prefix) :] if text.startswith(prefix) else text


@asynccontextmanager
async def open_tool_session(
    settings: Settings,
    *,
    act_as_bot: bool = False,
    url: str | None = None,
    token: str | None = None,
    server: MCPServer | None = None,
) -> AsyncIterator[ToolSession]:
    """In memory against `build_server(settings, act_as_bot=...)` (or the given `server`), or over streamable HTTP
    when `url` is given (with `Authorization: Bearer <token>` when `token` is given; act_as_bot is then the remote
    server's choice)."""
    if url is None:
        async with Client(server or build_server(settings, act_as_bot=act_as_bot)) as client:
            yield ToolSession(client)
        return
    from mcp.client.streamable_http import streamable_http_client

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    timeout = httpx2.Timeout(30.0, read=300.0)
    async with httpx2.AsyncClient(headers=headers, timeout=timeout) as http:
        async with Client(streamable_http_client(url, http_client=http)) as client:
            yield ToolSession(client)


class ToolSessions:
    """Opens tool sessions for a long-lived caller (the bot): in memory, all on one server built once, sharing
    its pooled Chatwoot connections; or over HTTP to `url`. `aclose()` when done."""

    def __init__(
        self, settings: Settings, *, act_as_bot: bool = False, url: str | None = None, token: str | None = None
    ) -> None:
        self._settings = settings
        self._url = url
        self._token = token
        # Building the server generates every tool's schemas: once, not per session.
        self._server = None if url is not None else build_server(settings, act_as_bot=act_as_bot, keep_clients=True)

    def __call__(self) -> AbstractAsyncContextManager[ToolSession]:
        return open_tool_session(self._settings, url=self._url, token=self._token, server=self._server)

    async def aclose(self) -> None:
        if self._server is not None:
            await self._server.connection.aclose()
