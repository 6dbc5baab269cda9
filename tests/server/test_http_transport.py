"""The streamable HTTP transport: bearer token required, /health open, unsafe set-ups refused."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import httpx2
import pytest
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from pydantic import SecretStr

from chatwoot_mcp.config import ConfigError, Settings
from chatwoot_mcp.server import build_server
from chatwoot_mcp.server.http import http_app
from chatwoot_mcp.server.session import ToolCallFailed, open_tool_session
from tests.conftest import Sandbox
from tests.server.conftest import conversation, sandbox_settings

pytestmark = pytest.mark.anyio

TOKEN = "http-test-token-9f3c"


@asynccontextmanager
async def serving(settings: Settings, bind_as: str = "127.0.0.1") -> AsyncIterator[str]:
    """Serve http_app with uvicorn on a free loopback port; yield the MCP URL. `bind_as` is the host the app is
    configured for (the socket itself stays on loopback)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = http_app(build_server(settings), settings, host=bind_as)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    async with anyio.create_task_group() as group:
        group.start_soon(server.serve, [sock])
        with anyio.fail_after(10):
            while not server.started:
                await anyio.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            server.should_exit = True
    sock.close()


async def test_the_right_token_reaches_the_tools(sandbox: Sandbox) -> None:
    settings = sandbox_settings(sandbox, mcp_token=SecretStr(TOKEN))
    async with serving(settings) as url:
        async with open_tool_session(settings, url=url, token=TOKEN) as tools:
            names = await tools.list_tool_names()
            result = await tools.call("chatwoot_take_over", conversation_id=2, notify=False)
    assert len(names) == 16
    assert result["conversation"]["owner"] == "human"
    assert conversation(sandbox, 2)["status"] == "open"


async def test_a_wrong_token_or_none_gets_401(sandbox: Sandbox) -> None:
    settings = sandbox_settings(sandbox, mcp_token=SecretStr(TOKEN))
    body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    async with serving(settings) as url:
        async with httpx2.AsyncClient() as http:
            none = await http.post(url, json=body)
            wrong = await http.post(url, json=body, headers={"Authorization": "Bearer nope"})
            health = await http.get(url.replace("/mcp", "/health"))
        with pytest.raises(Exception):  # noqa: B017 - the SDK's own error type for a refused connection varies
            async with httpx2.AsyncClient(headers={"Authorization": "Bearer nope"}) as bad:
                async with Client(streamable_http_client(url, http_client=bad)) as client:
                    await client.list_tools()
    assert none.status_code == 401 and "missing bearer token" in none.text
    assert wrong.status_code == 401 and "invalid bearer token" in wrong.text
    assert TOKEN not in none.text + wrong.text
    assert health.status_code == 200 and health.json() == {"status": "ok"}


async def test_a_foreign_host_header_is_refused(sandbox: Sandbox) -> None:
    settings = sandbox_settings(sandbox, mcp_token=SecretStr(TOKEN))
    body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    headers = {
        "Authorization": f"Bearer {TOKEN}",
        "Host": "evil.example:80",
        "Accept": "application/json, text/event-stream",
    }
    async with serving(settings) as url:
        async with httpx2.AsyncClient() as http:
            response = await http.post(url, json=body, headers=headers)
    assert response.status_code == 421


async def test_a_wildcard_bind_with_allowed_hosts_keeps_host_checks_on(sandbox: Sandbox) -> None:
    settings = sandbox_settings(sandbox, mcp_token=SecretStr(TOKEN), mcp_allowed_hosts=frozenset({"mcp.example.com"}))
    body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    base = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json, text/event-stream"}
    async with serving(settings, bind_as="0.0.0.0") as url:
        async with httpx2.AsyncClient() as http:
            foreign = await http.post(url, json=body, headers={**base, "Host": "evil.example"})
            allowed = await http.post(url, json=body, headers={**base, "Host": "mcp.example.com"})
    assert foreign.status_code == 421
    assert allowed.status_code != 421


async def test_tool_errors_cross_http_as_tool_call_failed(sandbox: Sandbox) -> None:
    settings = sandbox_settings(sandbox, mcp_token=SecretStr(TOKEN))
    async with serving(settings) as url:
        async with open_tool_session(settings, url=url, token=TOKEN) as tools:
            with pytest.raises(ToolCallFailed, match="conversation 4242 was not found in account 1"):
                await tools.call("chatwoot_get_conversation", conversation_id=4242)


def test_http_on_a_public_host_without_a_token_is_refused() -> None:
    settings = Settings()
    with pytest.raises(ConfigError, match="without a bearer token: set CHATWOOT_MCP_TOKEN"):
        http_app(build_server(settings), settings, host="0.0.0.0")


def test_http_on_a_public_host_with_a_token_is_allowed() -> None:
    settings = Settings(mcp_token=SecretStr(TOKEN))
    assert http_app(build_server(settings), settings, host="0.0.0.0") is not None
