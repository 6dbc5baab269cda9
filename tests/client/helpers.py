"""Test helpers: a scripted transport for the retry rules, a sleep recorder, and sandbox shortcuts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx2

from chatwoot_mcp.client import ChatwootClient

Step = httpx2.Response | Exception


@dataclass
class Script:
    """A transport that answers with the given steps in order (the last one repeats) and keeps every request."""

    steps: list[Step]
    requests: list[httpx2.Request] = field(default_factory=list)

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, Exception):
            raise step
        return step

    @property
    def transport(self) -> httpx2.MockTransport:
        return httpx2.MockTransport(self.handler)


@dataclass
class SleepRecorder:
    """Stands in for anyio.sleep: records each requested delay and returns at once."""

    delays: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def open_client(sandbox: Any, token: str | None = None, **kwargs: Any) -> ChatwootClient:
    """A client on the sandbox's account, as the administrator unless another token is given."""
    return ChatwootClient(sandbox.base_url, token or sandbox.admin_token, sandbox.account_id, **kwargs)


def raw(sandbox: Any, path: str, token: str | None = None) -> Any:
    """Read sandbox state over plain HTTP, independently of the client under test."""
    response = sandbox.api("GET", path, token=token)
    assert response.status_code == 200, response.text
    return response.json() if response.content else None


def fault(sandbox: Any, method: str, path: str, status: int | None, **extra: Any) -> None:
    """Arm one sandbox fault (status and/or delay) for the next matching request, and clear the request log."""
    rule = {"method": method, "path": path, "status": status, "count": 1, "delay": 0, "body": None, "headers": {}}
    rule.update(extra)
    sandbox.control("POST", "faults", json=rule)
    sandbox.control("DELETE", "requests")


def logged(sandbox: Any, method: str, path: str) -> list[dict[str, Any]]:
    """The sandbox's logged requests with this method and exact path."""
    return [r for r in sandbox.control("GET", "requests") if r["method"] == method and r["path"] == path]
