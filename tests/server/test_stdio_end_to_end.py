"""The real `python -m chatwoot_mcp` over stdio, driven by an MCP client: the issue's end-to-end check."""

from __future__ import annotations

import json
import subprocess
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


async def test_an_unknown_toolset_starts_the_server_and_chatwoot_setup_names_the_setting(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    params = server_params(sandbox, tmp_path, CHATWOOT_MCP_TOOLSETS="handoff,chat")
    with (tmp_path / "stderr.log").open("w", encoding="utf-8") as errlog:
        async with Client(stdio_client(params, errlog=errlog)) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            report = await call(client, "chatwoot_setup")
    assert "chatwoot_setup" in names and "chatwoot_take_over" in names
    assert report["connected"] is True
    assert any("CHATWOOT_MCP_TOOLSETS" in note and "'chat'" in note for note in report["notes"])


def _jsonrpc_lines(*messages: dict[str, object]) -> bytes:
    return b"".join(json.dumps(message).encode() + b"\n" for message in messages)


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}},
}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def _answers(stdout: bytes) -> dict[object, dict[str, object]]:
    return {message.get("id"): message for message in map(json.loads, stdout.splitlines())}


NOISY = """
import anyio
from chatwoot_mcp.config import Settings
from chatwoot_mcp.server import build_server

server = build_server(Settings())


def noisy() -> str:
    print("a stray print")  # the SDK's transport moves fd 1 aside: this must reach stderr, not the client
    return "quiet answer"


server.add_tool(noisy, name="noisy", description="prints to stdout")
anyio.run(server.run_stdio_async)
"""


async def test_a_stray_print_in_the_server_never_reaches_the_client(tmp_path: Path) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-c", NOISY], cwd=str(REPO))
    with (tmp_path / "stderr.log").open("w+", encoding="utf-8") as errlog:
        async with Client(stdio_client(params, errlog=errlog)) as client:
            result = await client.call_tool("noisy", {})
            again = await client.call_tool("noisy", {})
        errlog.seek(0)
        stderr = errlog.read()
    assert not result.is_error and not again.is_error
    assert result.structured_content == {"result": "quiet answer"}
    assert stderr.count("a stray print") == 2 and "Traceback" not in stderr


def test_a_request_line_far_longer_than_a_pipe_buffer_is_read_whole(sandbox: Sandbox, tmp_path: Path) -> None:
    long_text = "x" * 300_000  # several pipe buffers, and beyond asyncio's default line limit
    call_tool = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": "chatwoot_search_contacts", "arguments": {"query": long_text}},
    }
    params = server_params(sandbox, tmp_path)
    with subprocess.Popen(
        [params.command, *params.args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=params.env,
        cwd=params.cwd,
    ) as server:
        assert server.stdin is not None and server.stdout is not None
        # Answers are read before stdin closes: a client that closes stdin is asking the server to stop.
        server.stdin.write(_jsonrpc_lines(INITIALIZE, INITIALIZED, call_tool))
        server.stdin.flush()
        answers = _answers(server.stdout.readline() + server.stdout.readline())
        server.stdin.close()
        assert server.wait(timeout=30) == 0  # closing stdin is a clean stop
        assert server.stderr is not None and b"Traceback" not in server.stderr.read()
    assert answers[1]["result"]["serverInfo"]["name"] == "chatwoot-mcp"
    answer = answers[2]
    # Read whole and parsed: the tool answers with its own argument check, not a transport failure.
    assert answer["result"]["isError"] is True
    assert "query" in answer["result"]["content"][0]["text"]
