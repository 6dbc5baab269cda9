"""A malformed setting: the stdio server still starts, so the assistant's client learns which setting is wrong
instead of seeing "Connection closed"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from tests.conftest import REPO
from tests.server.conftest import error_text

pytestmark = pytest.mark.anyio


def bad_url_env(tmp_path: Path) -> dict[str, str]:
    credentials = tmp_path / "credentials.toml"
    credentials.write_text("", encoding="utf-8")
    return {
        "CHATWOOT_URL": "chat.example.com/secret-path",  # no scheme
        "CHATWOOT_API_TOKEN": "tok-never-shown-0123456789",
        "CHATWOOT_ACCOUNT_ID": "1",
        "CHATWOOT_CREDENTIALS_FILE": str(credentials),
    }


async def test_a_malformed_url_starts_a_server_whose_setup_tool_names_the_setting(tmp_path: Path) -> None:
    env = bad_url_env(tmp_path)
    params = StdioServerParameters(command=sys.executable, args=["-m", "chatwoot_mcp"], env=env, cwd=str(REPO))
    with (tmp_path / "stderr.log").open("w+", encoding="utf-8") as errlog:
        async with Client(stdio_client(params, errlog=errlog)) as client:
            names = [tool.name for tool in (await client.list_tools()).tools]
            message = error_text(await client.call_tool("chatwoot_setup", {}))
            instructions = client.instructions or ""
        errlog.seek(0)
        stderr = errlog.read()
    assert names == ["chatwoot_setup"]
    for text in (message, instructions):
        assert "chatwoot_url" in text and "CHATWOOT_URL" in text and "restart the server" in text
        assert "secret-path" not in text and env["CHATWOOT_API_TOKEN"] not in text
    assert "CHATWOOT_URL" in stderr and "secret-path" not in stderr


def test_over_http_a_malformed_url_still_refuses_to_start(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "chatwoot_mcp", "--transport", "http", "--port", "0"],
        env=bad_url_env(tmp_path),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "CHATWOOT_URL" in done.stderr and "secret-path" not in done.stderr
