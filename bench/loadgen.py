"""A small closed-loop HTTP load generator: C concurrent senders, N requests, per-request latency."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import anyio
import httpx2

RequestFactory = Callable[[int], tuple[bytes, dict[str, str]]]


@dataclass(frozen=True)
class LoadResult:
    latencies: list[float]
    elapsed: float
    statuses: dict[int, int]

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.elapsed


async def blast(url: str, make: RequestFactory, *, total: int, concurrency: int) -> LoadResult:
    """POST `total` requests built by `make(i)`; every request is timed from send to full response."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = iter(range(total))
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(limits=limits, timeout=30) as http:

        async def sender() -> None:
            for i in counter:
                body, headers = make(i)
                start = time.perf_counter()
                response = await http.post(url, content=body, headers=headers)
                latencies.append(time.perf_counter() - start)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        start = time.perf_counter()
        async with anyio.create_task_group() as group:
            for _ in range(concurrency):
                group.start_soon(sender)
        elapsed = time.perf_counter() - start
    return LoadResult(latencies, elapsed, statuses)
