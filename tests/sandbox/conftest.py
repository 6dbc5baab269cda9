"""Helpers for the sandbox tests: a webhook receiver served by uvicorn in a thread, condition waits, and the shared
sandbox pointed at fake providers (Meta's Graph API, Twilio)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.conftest import Sandbox
from tests.fakes.meta_graph import FakeMetaGraph
from tests.fakes.twilio_api import FakeTwilio

T = TypeVar("T")


def wait_for(predicate: Callable[[], T], timeout: float = 5.0, interval: float = 0.02) -> T:
    """Poll until `predicate()` is truthy; fail with a clear message at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    """Records every POST; answers with the queued statuses first, then 200."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def events(self) -> list[str]:
        import json

        with self.lock:
            return [json.loads(r.body)["event"] for r in self.received]

    def clear(self) -> None:
        with self.lock:
            self.received.clear()
            self.statuses.clear()

    async def endpoint(self, request: Request) -> Response:
        body = await request.body()
        with self.lock:
            self.received.append(Received(dict(request.headers), body, time.time()))
            status = self.statuses.pop(0) if self.statuses else 200
        return JSONResponse({"ok": status < 400}, status_code=status)


@pytest.fixture(scope="session")
def receiver_server() -> Iterator[Receiver]:
    receiver = Receiver()
    app = Starlette(routes=[Route("/{path:path}", receiver.endpoint, methods=["POST"])])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    wait_for(lambda: server.started)
    receiver.url = f"http://127.0.0.1:{port}/hook"
    try:
        yield receiver
    finally:
        server.should_exit = True
        thread.join(timeout=5)


@pytest.fixture
def receiver(receiver_server: Receiver) -> Receiver:
    receiver_server.clear()
    return receiver_server


def deliveries(box: Any, **match: Any) -> list[dict[str, Any]]:
    found = box.control("GET", "deliveries")
    return [d for d in found if all(d.get(k) == v for k, v in match.items())]


@dataclass(frozen=True)
class Providers:
    """The shared sandbox pointed at a fake Meta Graph API and a fake Twilio, all three reset."""

    box: Sandbox
    meta: FakeMetaGraph
    twilio: FakeTwilio


@pytest.fixture(scope="session")
def meta_server() -> Iterator[FakeMetaGraph]:
    with FakeMetaGraph() as meta:
        yield meta


@pytest.fixture(scope="session")
def twilio_server() -> Iterator[FakeTwilio]:
    with FakeTwilio() as twilio:
        yield twilio


@pytest.fixture
def providers(sandbox: Sandbox, meta_server: FakeMetaGraph, twilio_server: FakeTwilio) -> Providers:
    """`/_sandbox/reset` forgets the URLs again, so the next test's sandbox reaches no provider."""
    meta_server.reset()
    twilio_server.reset()
    urls = {"meta_graph_url": meta_server.url, "twilio_api_url": twilio_server.url}
    sandbox.control("POST", "providers", json={**urls, "twilio_messaging_url": twilio_server.url})
    return Providers(sandbox, meta_server, twilio_server)
