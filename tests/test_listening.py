"""`chatwoot-console` and the sandbox bind their port before serving: a taken port is a clear error and exit 2,
never a traceback; a free one is announced with the URL that answers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

REPO = Path(__file__).resolve().parents[1]
COMMANDS = {
    "sandbox": ([sys.executable, "-m", "chatwoot_mcp.sandbox"], "sandbox: cannot bind 127.0.0.1:"),
    "console": ([sys.executable, "-m", "chatwoot_mcp.console"], "chatwoot-console: cannot bind 127.0.0.1:"),
}


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "CHATWOOT_URL": "http://127.0.0.1:9",
            "CHATWOOT_ACCOUNT_ID": "1",
            "CHATWOOT_CREDENTIALS_FILE": os.devnull,
            "CONSOLE_SESSION_SECRET": "test-session-secret",
        }
    )
    return env


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_taken_port_is_a_clear_error(name: str) -> None:
    command, message = COMMANDS[name]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [*command, "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=REPO,
            env=_environment(),
            stdin=subprocess.DEVNULL,
        )
    assert done.returncode == 2, done.stderr
    assert f"{message}{port}" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_the_announced_url_answers() -> None:
    with subprocess.Popen(
        [*COMMANDS["sandbox"][0], "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
    ) as proc:
        try:
            assert proc.stdout is not None
            url = json.loads(proc.stdout.readline())["base_url"]
            assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
            assert httpx2.get(url + "/api/v1/profile", timeout=10).status_code == 401
        finally:
            proc.terminate()
            proc.wait(timeout=10)
