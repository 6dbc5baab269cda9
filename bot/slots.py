"""Bounded slots handed out oldest first: the bot's own work and the model calls each have a limit of their own."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from types import TracebackType


class Slots:
    """At most `size` holders at once; a freed slot goes to the waiter with the lowest priority value (the batch
    whose customer has waited longest), not to whoever asked first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.free = size
        self._waiters: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    async def acquire(self, priority: float) -> bool:
        """Take a slot; True when it had to wait for one (anything may have changed meanwhile)."""
        if self.free > 0 and not self._waiters:
            self.free -= 1
            return False
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._order), future))
        try:
            await future
        except BaseException:
            if future.done() and not future.cancelled():
                self.release()  # handed a slot just as it was cancelled: pass it on
            else:
                future.cancel()  # skipped by release()
            raise
        return True

    def release(self) -> None:
        while self._waiters:
            _, _, future = heapq.heappop(self._waiters)
            if not future.done():
                future.set_result(None)
                return
        self.free += 1

    def hold(self, priority: float) -> Hold:
        return Hold(self, priority)


class Hold:
    """One batch's slot, which it can give back while it waits on something else (the model) and take again."""

    def __init__(self, slots: Slots, priority: float) -> None:
        self.slots = slots
        self.priority = priority
        self.held = False
        self.waited = False  # whether taking it last time meant waiting

    async def take(self) -> None:
        if not self.held:
            self.waited = await self.slots.acquire(self.priority)
            self.held = True

    def give(self) -> None:
        if self.held:
            self.held = False
            self.slots.release()

    async def __aenter__(self) -> Hold:
        await self.take()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.give()
