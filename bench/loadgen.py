"""A lean closed-loop HTTP/1.1 load generator on asyncio protocols: C keep-alive connections, N requests.

Requests are built before the clock starts, each connection is a protocol whose callbacks send the next request
as soon as the last answer is framed (no stream reader, no task per read), and responses are parsed only as far
as HTTP framing needs. The generator shares the machine's cores with the server it measures, so the less it
costs per request, the more of the server is measured.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

RequestFactory = Callable[[int], tuple[bytes, dict[str, str]]]


@dataclass(frozen=True)
class LoadResult:
    latencies: list[float]
    elapsed: float
    statuses: dict[int, int]

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.elapsed


def build_request(host: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}", "Connection: keep-alive"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def response_size(head: bytes) -> int:
    """The body length a response head declares (Content-Length; none means an empty body here)."""
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


class _Connection(asyncio.Protocol):
    """One keep-alive connection: sends a request, waits for its whole answer, sends the next."""

    def __init__(self, requests: Iterator[bytes], latencies: list[float], statuses: dict[int, int]) -> None:
        self.requests = requests
        self.latencies = latencies
        self.statuses = statuses
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.size = -1  # the whole current response's length, once its head is in
        self.status = 0
        self.sent_at = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.send_next()

    def send_next(self) -> None:
        assert self.transport is not None
        request = next(self.requests, None)
        if request is None:
            self.transport.close()
            return
        self.sent_at = time.perf_counter()
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data if self.buffer else data
        while True:
            if self.size < 0:
                end = buffer.find(b"\r\n\r\n")
                if end < 0:
                    break
                self.status = int(buffer[9:12])
                self.size = end + 4 + response_size(buffer[:end])
            if len(buffer) < self.size:
                break
            buffer = buffer[self.size :]
            self.size = -1
            self.latencies.append(time.perf_counter() - self.sent_at)
            self.statuses[self.status] = self.statuses.get(self.status, 0) + 1
            self.send_next()
        self.buffer = buffer

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            if exc is not None:
                self.done.set_exception(exc)
            else:
                self.done.set_result(None)


async def blast(url: str, make: RequestFactory, *, total: int, concurrency: int, timeout: float = 300.0) -> LoadResult:
    """POST `total` requests built by `make(i)` over `concurrency` connections; time each one. A server that stops
    answering fails the run after `timeout` seconds instead of hanging it."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    requests = iter([build_request(f"{host}:{port}", parts.path, *make(i)) for i in range(total)])
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    loop = asyncio.get_running_loop()
    start = time.perf_counter()
    opened = await asyncio.gather(
        *(
            loop.create_connection(lambda: _Connection(requests, latencies, statuses), host, port)
            for _ in range(concurrency)
        )
    )
    try:
        await asyncio.wait_for(asyncio.gather(*(protocol.done for _, protocol in opened)), timeout)
    except TimeoutError:
        for transport, _ in opened:
            transport.abort()
        raise RuntimeError(f"{total - len(latencies)} of {total} requests got no answer in {timeout:.0f} s") from None
    elapsed = time.perf_counter() - start
    if len(latencies) != total:
        raise RuntimeError(f"{total - len(latencies)} of {total} requests got no answer (the server closed early)")
    return LoadResult(latencies, elapsed, statuses)
