"""A round-robin HTTP load balancer in a background thread, as nginx would stand in front of several bot replicas.

Each request goes to the next backend; one that cannot be reached, or dies before answering, is skipped and the
request goes to the next (nginx's `proxy_next_upstream error timeout non_idempotent`). It imports nothing from the
project.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter

import httpx2
import uvicorn
from starlette.types import Receive, Scope, Send

FORWARDED_HEADERS = ("content-type", "x-chatwoot-delivery", "x-chatwoot-timestamp", "x-chatwoot-signature")


class Balancer:
    """`with Balancer([url, url]) as lb:` serves on a free port; `lb.url` replaces a backend's base URL."""

    def __init__(self, backends: list[str], *, timeout: float = 10.0) -> None:
        self.backends = list(backends)
        self.timeout = timeout
        self.sent: Counter[str] = Counter()  # answered requests per backend
        self.skipped: Counter[str] = Counter()  # requests a backend failed, sent on to the next
        self.port = 0
        self._next = 0
        self._client: httpx2.AsyncClient | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {
            name.decode(): value.decode("latin-1")
            for name, value in scope["headers"]
            if name.decode() in FORWARDED_HEADERS
        }
        status, content = 502, b'{"error":"no backend answered"}'
        assert self._client is not None
        first = self._next
        self._next += 1
        for offset in range(len(self.backends)):  # each backend once, starting from the next in turn
            backend = self.backends[(first + offset) % len(self.backends)]
            try:
                response = await self._client.request(
                    scope["method"], backend + scope["path"], content=body, headers=headers
                )
            except httpx2.TransportError:
                self.skipped[backend] += 1
                continue
            self.sent[backend] += 1
            status, content = response.status_code, response.content
            break
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": content})

    def start(self) -> Balancer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self, lifespan="off", log_level="warning", ws="none", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, args=(sock,), name="balancer", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the balancer did not start")
            time.sleep(0.01)
        return self

    def _run(self, sock: socket.socket) -> None:
        async def main() -> None:
            # Idle connections are dropped before the backends' own keep-alive ends (uvicorn: 5 s): one reused as
            # its backend closes it fails the request (a 502).
            limits = httpx2.Limits(max_connections=256, max_keepalive_connections=256, keepalive_expiry=2.0)
            async with httpx2.AsyncClient(timeout=self.timeout, limits=limits) as client:
                self._client = client
                assert self._server is not None
                await self._server.serve(sockets=[sock])

        asyncio.run(main())

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._server = None

    def __enter__(self) -> Balancer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
