"""`python -m chatwoot_mcp --transport http` as a real process: serves /health and /mcp, refuses unsafe set-ups."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import anyio
import httpx2
import pytest

from chatwoot_mcp.server.session import open_tool_session
from tests.conftest import REPO, Sandbox, stop_process
from tests.server.conftest import conversation, sandbox_settings

TOKEN = "command-test-token-41"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _healthy(http: httpx2.AsyncClient, url: str) -> bool:
    try:
        return (await http.get(url)).status_code == 200
    except httpx2.TransportError:
        return False


def command_env(sandbox: Sandbox, tmp_path: Path, **extra: str) -> dict[str, str]:
    credentials = tmp_path / "credentials.toml"
    credentials.write_text("", encoding="utf-8")
    return {
        "PATH": "/usr/bin:/bin",
        "CHATWOOT_URL": sandbox.base_url,
        "CHATWOOT_API_TOKEN": sandbox.admin_token,
        "CHATWOOT_ACCOUNT_ID": str(sandbox.account_id),
        "CHATWOOT_CREDENTIALS_FILE": str(credentials),
        **extra,
    }


def test_http_on_all_interfaces_without_a_token_refuses_to_start(sandbox: Sandbox, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "chatwoot_mcp", "--transport", "http", "--host", "0.0.0.0", "--port", "0"],
        env=command_env(sandbox, tmp_path),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "without a bearer token: set CHATWOOT_MCP_TOKEN" in done.stderr
    assert done.stdout == ""


@pytest.mark.anyio
async def test_the_http_command_serves_health_and_tools_behind_the_token(sandbox: Sandbox, tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "server.log").open("w+", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatwoot_mcp", "--transport", "http", "--port", str(port)],
        env=command_env(sandbox, tmp_path, CHATWOOT_MCP_TOKEN=TOKEN),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        async with httpx2.AsyncClient(timeout=5) as http:
            with anyio.fail_after(20):
                while not await _healthy(http, f"{base}/health"):
                    assert proc.poll() is None, "the server exited"
                    await anyio.sleep(0.05)
            refused = await http.post(f"{base}/mcp", json={})
        async with open_tool_session(sandbox_settings(sandbox), url=f"{base}/mcp", token=TOKEN) as tools:
            result = await tools.call("chatwoot_update_conversation", conversation_id=4, priority="urgent")
    finally:
        stop_process(proc)
        log.seek(0)
        server_log = log.read()
        log.close()
    assert refused.status_code == 401
    assert result["changed"] == ["priority: none → urgent"]
    assert conversation(sandbox, 4)["priority"] == "urgent"
    assert TOKEN not in server_log and sandbox.admin_token not in server_log
