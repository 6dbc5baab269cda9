"""Sliding-window counters in memory: verification failures per client IP, bot replies per conversation."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable


class SlidingWindow:
    """At most `limit` hits per `window` seconds for each key; the clock is injectable."""

    def __init__(
        self, limit: int, window: float = 60.0, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._hits: dict[Hashable, deque[float]] = {}

    def _recent(self, key: Hashable) -> deque[float]:
        now = self.clock()
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= self.max_keys:
                self._evict(now)
            hits = self._hits[key] = deque()
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        return hits

    def _evict(self, now: float) -> None:
        # Bounded memory under a flood of distinct keys: forget keys with nothing recent, then the oldest.
        for key in [k for k, v in self._hits.items() if not v or now - v[-1] >= self.window]:
            del self._hits[key]
        while len(self._hits) >= self.max_keys:
            del self._hits[next(iter(self._hits))]

    def exceeded(self, key: Hashable) -> bool:
        """True when the key has used its budget (does not count a hit)."""
        return len(self._recent(key)) >= self.limit

    def hit(self, key: Hashable) -> None:
        self._recent(key).append(self.clock())

    def count(self, key: Hashable) -> int:
        return len(self._recent(key))
