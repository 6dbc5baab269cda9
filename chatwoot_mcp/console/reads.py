"""One re-read of a changed conversation shared by the open pages that re-read its row after the same change,
instead of one tool call per page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import anyio

from chatwoot_mcp.console.sessions import Session

# A shared read serves the pages that ask within this long after it started; later asks read again.
FRESH_SECONDS = 2.0
MAX_ENTRIES = 5_000
PRUNE_ABOVE = 64  # conversations with a read kept; older reads are dropped past it (each holds 20 messages)


@dataclass
class _Read:
    change: int
    started: float
    done: anyio.Event = field(default_factory=anyio.Event)
    found: dict[str, Any] | None = None


def _scope(session: Session) -> str:
    """Who may share a read: every administrator sees the same conversation in Chatwoot, so they share one; an
    agent's read is the agent's own (their token, their permissions)."""
    return "admin" if session.person.is_admin else f"agent:{session.person.id}"


class SharedReads:
    """`changed(id)` when a webhook says a conversation changed; `conversation(session, id)` then reads it once
    per change and scope, the other pages waiting for that read. A failed read is not shared: each page then
    reads on its own and gets its own error."""

    def __init__(self) -> None:
        self._changes: dict[int, int] = {}
        self._reads: dict[int, dict[str, _Read]] = {}

    def changed(self, conversation_id: int) -> None:
        self._changes[conversation_id] = self._changes.get(conversation_id, 0) + 1
        self._reads.pop(conversation_id, None)
        if len(self._changes) > MAX_ENTRIES:
            self._changes.clear()
            self._reads.clear()

    async def conversation(self, session: Session, conversation_id: int) -> dict[str, Any]:
        change = self._changes.get(conversation_id, 0)
        scope = _scope(session)
        now = anyio.current_time()
        shared = self._reads.get(conversation_id, {}).get(scope)
        if shared is not None and shared.change == change and now - shared.started < FRESH_SECONDS:
            await shared.done.wait()
            if shared.found is not None:
                return shared.found
            return await session.call("chatwoot_get_conversation", conversation_id=conversation_id)
        read = _Read(change, now)
        if len(self._reads) > PRUNE_ABOVE:
            self._prune(now)
        self._reads.setdefault(conversation_id, {})[scope] = read
        try:
            read.found = await session.call("chatwoot_get_conversation", conversation_id=conversation_id)
            return read.found
        finally:
            read.done.set()

    def _prune(self, now: float) -> None:
        for conversation_id, by_scope in list(self._reads.items()):
            if all(now - read.started >= FRESH_SECONDS for read in by_scope.values()):
                del self._reads[conversation_id]
