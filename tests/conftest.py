"""Shared fixtures: one Chatwoot sandbox process per test session, reset before each test that uses it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass(frozen=True)
class Sandbox:
    """What the sandbox printed on start-up, plus helpers to drive its control API."""

    info: dict[str, Any]
    process: subprocess.Popen[str]

    @property
    def base_url(self) -> str:
        return self.info["base_url"]

    @property
    def account_id(self) -> int:
        return self.info["account_id"]

    @property
    def admin_token(self) -> str:
        return self.info["admin_token"]

    @property
    def agent_token(self) -> str:
        return self.info["agent_token"]

    @property
    def bot_token(self) -> str:
        return self.info["bot_token"]

    @property
    def agent_bot_id(self) -> int:
        return self.info["agent_bot_id"]

    def inbox(self, name: str) -> dict[str, Any]:
        return next(i for i in self.info["inboxes"] if i["name"] == name)

    def agent(self, role: str = "administrator", index: int = 0) -> dict[str, Any]:
        return [a for a in self.info["agents"] if a["role"] == role][index]

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = httpx2.request(method, f"{self.base_url}/_sandbox/{path}", timeout=10, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def api(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> httpx2.Response:
        """A raw request to the sandbox's Chatwoot API, as an admin unless another token is given."""
        headers = {"api_access_token": token or self.admin_token}
        url = f"{self.base_url}/api/v1/accounts/{self.account_id}/{path.lstrip('/')}"
        return httpx2.request(method, url, headers=headers, timeout=10, **kwargs)

    def reset(self) -> None:
        self.control("POST", "reset")


def start_sandbox(*extra: str) -> Sandbox:
    """Start `python -m chatwoot_mcp.sandbox` on a free port and read its one JSON line."""
    # stderr goes to a file: a pipe nobody reads would block a chatty sandbox.
    log = tempfile.NamedTemporaryFile(prefix="sandbox-", suffix=".log", delete=False)  # noqa: SIM115
    with log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "chatwoot_mcp.sandbox", "--port", "0", *extra],
            stdout=subprocess.PIPE,
            stderr=log,
            stdin=subprocess.DEVNULL,
            text=True,
            cwd=REPO,
        )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=5)
        proc.stdout.close()
        raise RuntimeError(f"sandbox did not start: {Path(log.name).read_text()[-2000:]}")
    return Sandbox(info=json.loads(line), process=proc)


def stop_process(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


@pytest.fixture(scope="session")
def sandbox_process() -> Iterator[Sandbox]:
    box = start_sandbox()
    try:
        yield box
    finally:
        stop_process(box.process)


@pytest.fixture
def sandbox(sandbox_process: Sandbox) -> Sandbox:
    """The shared sandbox, reseeded: every test starts from the same Chatwoot state."""
    sandbox_process.reset()
    return sandbox_process


@pytest.fixture(scope="session")
def swagger_path() -> Path:
    path = SHARED / "chatwoot" / "swagger.json"
    if not path.exists():
        if IN_CI:
            pytest.fail(f"{path} is missing; CI must run with ../shared beside the clone")
        pytest.skip(f"Chatwoot's OpenAPI spec is not at {path}")
    return path
