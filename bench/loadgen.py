"""A lean closed-loop HTTP/1.1 load generator on raw asyncio streams: C keep-alive connections, N requests.

Requests are built before the clock starts and responses are parsed only as far as HTTP framing needs, so the
generator costs far less per request than an HTTP client library and the server, not the generator, is measured.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
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


async def read_response(reader: asyncio.StreamReader) -> int:
    """Read one response; return its status code."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def blast(url: str, make: RequestFactory, *, total: int, concurrency: int) -> LoadResult:
    """POST `total` requests built by `make(i)` over `concurrency` connections; time each one."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    requests = [build_request(f"{host}:{port}", parts.path, *make(i)) for i in range(total)]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = iter(requests)

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for request in queue:
                start = time.perf_counter()
                writer.write(request)
                status = await read_response(reader)
                latencies.append(time.perf_counter() - start)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()
            await writer.wait_closed()

    start = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return LoadResult(latencies, time.perf_counter() - start, statuses)
