"""The real `python -m chatwoot_mcp` over stdio, driven by an MCP client: the issue's end-to-end check."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from chatwoot_mcp.server import texts
from tests.conftest import REPO, Sandbox
from tests.server.conftest import call, conversation, messages

pytestmark = pytest.mark.anyio


def server_params(sandbox: Sandbox, tmp_path: Path, **extra_env: str) -> StdioServerParameters:
    env = {
        "CHATWOOT_URL": sandbox.base_url,
        "CHATWOOT_API_TOKEN": sandbox.admin_token,
        "CHATWOOT_ACCOUNT_ID": str(sandbox.account_id),
        "CHATWOOT_CREDENTIALS_FILE": str(_empty_credentials(tmp_path)),
        **extra_env,
    }
    return StdioServerParameters(command=sys.executable, args=["-m", "chatwoot_mcp"], env=env, cwd=str(REPO))


def _empty_credentials(tmp_path: Path) -> Path:
    path = tmp_path / "credentials.toml"
    path.write_text("", encoding="utf-8")
    return path


async def test_a_stdio_client_takes_over_replies_and_returns_a_bot_conversation(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    errlog = (tmp_path / "stderr.log").open("w+", encoding="utf-8")
    async with Client(stdio_client(server_params(sandbox, tmp_path), errlog=errlog)) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert {"chatwoot_list_conversations", "chatwoot_take_over", "chatwoot_return_to_bot"} <= names

        queue = await call(client, "chatwoot_list_conversations", status="bot")
        target = queue["items"][0]["id"]
        assert all(item["owner"] == "bot" for item in queue["items"])

        await call(client, "chatwoot_take_over", conversation_id=target)
        taken = conversation(sandbox, target)
        assert taken["status"] == "open" and taken["meta"]["assignee"]["id"] == sandbox.agent()["id"]
        assert messages(sandbox, target)[-1]["content"] == texts.TAKEOVER_MESSAGE

        await call(client, "chatwoot_send_message", conversation_id=target, content="Oi! Sou a Ana, vou te ajudar.")
        assert messages(sandbox, target)[-1]["content"] == "Oi! Sou a Ana, vou te ajudar."

        back = await call(client, "chatwoot_return_to_bot", conversation_id=target)
        returned = conversation(sandbox, target)
        assert returned["status"] == "pending" and returned["meta"].get("assignee") is None
        assert back["conversation"]["owner"] == "bot"
        assert messages(sandbox, target)[-1]["content"].startswith("🤖 Você foi transferido de volta")
    errlog.seek(0)
    assert sandbox.admin_token not in errlog.read()
    errlog.close()


async def test_a_read_only_stdio_server_lists_no_write_tool(sandbox: Sandbox, tmp_path: Path) -> None:
    errlog = (tmp_path / "stderr.log").open("w", encoding="utf-8")
    params = server_params(sandbox, tmp_path, CHATWOOT_MCP_READ_ONLY="true")
    async with Client(stdio_client(params, errlog=errlog)) as client:
        tools = (await client.list_tools()).tools
    errlog.close()
    assert tools and all(tool.annotations and tool.annotations.read_only_hint for tool in tools)
