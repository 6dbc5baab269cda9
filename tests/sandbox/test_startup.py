"""The sandbox announces itself on one JSON line and stops cleanly on signals."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from typing import Any

import httpx2

from tests.conftest import REPO, Sandbox, stop_process


def _spawn() -> tuple[subprocess.Popen[str], dict[str, Any]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatwoot_mcp.sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    return proc, json.loads(line)


def _close(proc: subprocess.Popen[str]) -> None:
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def test_start_up_prints_one_json_line_and_serves_at_once() -> None:
    proc, info = _spawn()
    try:
        assert set(info) == {
            "base_url",
            "account_id",
            "admin_token",
            "agent_token",
            "bot_token",
            "agent_bot_id",
            "inboxes",
            "agents",
            "teams",
            "other_account",
        }
        assert {i["name"] for i in info["inboxes"]} == {"WhatsApp", "Site"}
        assert all(set(i) == {"id", "name", "inbox_identifier"} for i in info["inboxes"])
        roles = sorted(a["role"] for a in info["agents"])
        assert roles == ["administrator", "agent", "agent"]
        assert info["teams"] == [{"id": 1, "name": "Humanos"}]
        response = httpx2.get(
            f"{info['base_url']}/api/v1/profile", headers={"api_access_token": str(info["admin_token"])}
        )
        assert response.status_code == 200
        assert response.json()["role"] == "administrator"
    finally:
        stop_process(proc)
        _close(proc)
    assert proc.returncode == 0


def test_sigint_stops_the_sandbox_with_exit_code_zero_and_nothing_more_on_stdout() -> None:
    proc, _info = _spawn()
    proc.send_signal(signal.SIGINT)
    out, _err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert out == ""


def test_tokens_and_ids_survive_a_reset(sandbox: Sandbox) -> None:
    before = sandbox.control("GET", "info")
    sandbox.api("POST", "conversations/1/labels", json={"labels": ["vip"]})
    sandbox.reset()
    assert sandbox.control("GET", "info") == before
    assert sandbox.api("GET", "conversations/1/labels").json() == {"payload": []}


def test_tokens_are_random_per_process(sandbox: Sandbox) -> None:
    proc, info = _spawn()
    try:
        assert info["admin_token"] != sandbox.admin_token
        assert info["bot_token"] != sandbox.bot_token
    finally:
        stop_process(proc)
