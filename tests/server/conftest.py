"""Helpers for the MCP server tests: settings pointing at the sandbox and a tool-calling shortcut."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mcp import Client
from mcp_types import CallToolResult, TextContent
from pydantic import SecretStr

from chatwoot_mcp.config import Settings
from tests.conftest import Sandbox


def sandbox_settings(sandbox: Sandbox, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "chatwoot_url": sandbox.base_url,
        "api_token": SecretStr(sandbox.admin_token),
        "account_id": sandbox.account_id,
        "bot_token": SecretStr(sandbox.bot_token),
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(sandbox: Sandbox) -> Settings:
    return sandbox_settings(sandbox)


def error_text(result: CallToolResult) -> str:
    assert result.is_error, f"expected an error, got {result.structured_content}"
    return " ".join(block.text for block in result.content if isinstance(block, TextContent))


async def call(client: Client, name: str, **arguments: Any) -> dict[str, Any]:
    """Call a tool that must succeed; return its structured result."""
    result = await client.call_tool(name, arguments)
    assert not result.is_error, error_text_unchecked(result)
    assert result.structured_content is not None
    return dict(result.structured_content)


async def fail(client: Client, name: str, **arguments: Any) -> str:
    """Call a tool that must fail; return the error text."""
    return error_text(await client.call_tool(name, arguments))


def error_text_unchecked(result: CallToolResult) -> str:
    return " ".join(block.text for block in result.content if isinstance(block, TextContent))


def conversation(sandbox: Sandbox, conversation_id: int) -> dict[str, Any]:
    """The sandbox's state of one conversation, read over its REST API as the admin."""
    response = sandbox.api("GET", f"conversations/{conversation_id}")
    response.raise_for_status()
    return response.json()


def messages(sandbox: Sandbox, conversation_id: int) -> list[dict[str, Any]]:
    """The conversation's latest messages without activity events ("Assigned to ..."), oldest first."""
    response = sandbox.api("GET", f"conversations/{conversation_id}/messages")
    response.raise_for_status()
    return [m for m in response.json()["payload"] if m["message_type"] != 2]


def fault(sandbox: Sandbox, method: str, path: str, status: int | None, count: int = 1, **extra: Any) -> None:
    sandbox.control("POST", "faults", json={"method": method, "path": path, "status": status, "count": count, **extra})


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
