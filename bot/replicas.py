"""Which process works which conversation: on PostgreSQL any number of replicas, each conversation leased to one
at a time (bot/store/leases.py); on SQLite the one process that holds the file's lock works them all."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

import anyio

from bot.logs import log_event
from bot.settings import BotSettings
from bot.store import STORE_ERRORS, Store
from bot.store.leases import replica_name
from bot.tools import describe_error

logger = logging.getLogger(__name__)

# Work nobody leased is taken up once it has waited this long past its debounce: the replica that accepted it claims
# it at the end of the debounce, and a sweep that came sooner would only take it from that replica.
ORPHAN_GRACE_SECONDS = 1.0


class Leases(Protocol):
    shared: bool  # other processes work the same database
    name: str

    async def start(self) -> None: ...
    async def claim(self, conversation_id: int) -> bool: ...
    async def release(self, conversation_id: int) -> None: ...
    async def renew(self) -> set[int]: ...
    async def orphans(self, older_than: float, limit: int = 1000) -> list[int]: ...
    async def release_all(self) -> None: ...


class SoleProcess:
    """SQLite: the store's file lock makes this process the only one, so every conversation is its own."""

    shared = False

    def __init__(self) -> None:
        self.name = replica_name()

    async def start(self) -> None:
        pass

    async def claim(self, conversation_id: int) -> bool:
        return True

    async def release(self, conversation_id: int) -> None:
        pass

    async def renew(self) -> set[int]:
        return set()

    async def orphans(self, older_than: float, limit: int = 1000) -> list[int]:
        return []

    async def release_all(self) -> None:
        pass


def build_leases(store: Store, settings: BotSettings) -> Leases:
    from bot.store.postgres import PostgresStore

    if isinstance(store, PostgresStore):
        from bot.store.leases import PostgresLeases

        return PostgresLeases(store, seconds=settings.lease_seconds)
    return SoleProcess()


async def keep_leases(
    leases: Leases,
    loops: dict[int, anyio.CancelScope],
    notify: Callable[[int], None],
    *,
    debounce: float,
    clock: Callable[[], float] = time.time,
) -> None:
    """Every quarter of a lease: renew ours, cancel the loop (in `loops`) of any lease lost (it expired: another
    replica may have it now), and `notify` the conversations with pending work that no live replica leases."""
    seconds = getattr(leases, "seconds", 10.0)
    renewed_at = time.monotonic()
    while True:
        await anyio.sleep(seconds / 4)
        ours = dict(loops)  # before the renewal: a lease claimed after it was sent may not be renewed yet
        orphans: list[int] = []
        try:
            kept = await leases.renew()
            renewed_at = time.monotonic()
            orphans = await leases.orphans(clock() - debounce - ORPHAN_GRACE_SECONDS)
        except STORE_ERRORS as exc:
            log_event(logger, "store_error", logging.ERROR, task="leases", error=describe_error(exc))
            if time.monotonic() - renewed_at < seconds * 0.75:
                continue
            kept = set()  # they are about to expire, if they have not: stop before another replica starts
        # A loop that ended meanwhile gave its lease back; one started since holds a new lease.
        gone = [cid for cid, scope in ours.items() if cid not in kept and loops.get(cid) is scope]
        if gone:
            log_event(logger, "leases_lost", logging.WARNING, conversations=len(gone), replica=leases.name)
        for conversation_id in gone:
            loops.pop(conversation_id).cancel()
        if orphans:
            log_event(logger, "orphans_found", conversations=len(orphans), replica=leases.name)
        for conversation_id in orphans:
            notify(conversation_id)
