"""Re-reads after a change shared by the open pages that ask for the same thing, instead of one tool call per
page: a changed conversation's row, and the list and its counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import anyio

from chatwoot_mcp.console.sessions import Session

# A shared read serves the pages that ask within this long after it started; later asks read again.
FRESH_SECONDS = 2.0
MAX_ENTRIES = 5_000
PRUNE_ABOVE = 64  # reads kept; older ones are dropped past it (a conversation's holds 20 messages)


@dataclass
class _Read:
    change: int
    started: float
    done: anyio.Event = field(default_factory=anyio.Event)
    found: dict[str, Any] | None = None


def _scope(session: Session, personal: bool = False) -> str:
    """Who may share a read: every administrator sees the same conversations in Chatwoot, so they share one
    (unless the answer depends on who asks); an agent's read is the agent's own (their token, their permissions)."""
    if session.person.is_admin and not personal:
        return "admin"
    return f"person:{session.person.id}"


class SharedReads:
    """`changed(id)` when a webhook says a conversation changed. `conversation(session, id)` then reads it once
    per change and scope, and `conversations(session, arguments)` a list once per change of any conversation; the
    other pages wait for that read. A failed read is not shared: each page then reads on its own and gets its own
    error. A read never serves the pages of a later change."""

    def __init__(self) -> None:
        self._changes: dict[int, int] = {}
        self._any_change = 0
        self._reads: dict[tuple[Any, ...], _Read] = {}

    def changed(self, conversation_id: int) -> None:
        self._changes[conversation_id] = self._changes.get(conversation_id, 0) + 1
        self._any_change += 1
        if len(self._changes) > MAX_ENTRIES:
            self._changes.clear()
            self._reads.clear()

    async def conversation(self, session: Session, conversation_id: int) -> dict[str, Any]:
        key = ("conversation", conversation_id, _scope(session))
        change = self._changes.get(conversation_id, 0)
        return await self._shared(key, change, session, "chatwoot_get_conversation", conversation_id=conversation_id)

    async def conversations(self, session: Session, personal: bool = False, **arguments: Any) -> dict[str, Any]:
        """`personal`: the answer depends on who asks (its `mine` count, or `assignee_type="me"`)."""
        personal = personal or arguments.get("assignee_type") == "me"
        key = ("list", _scope(session, personal), *sorted((name, repr(value)) for name, value in arguments.items()))
        return await self._shared(key, self._any_change, session, "chatwoot_list_conversations", **arguments)

    async def _shared(
        self, key: tuple[Any, ...], change: int, session: Session, tool: str, **arguments: Any
    ) -> dict[str, Any]:
        now = anyio.current_time()
        shared = self._reads.get(key)
        if shared is not None and shared.change == change and now - shared.started < FRESH_SECONDS:
            await shared.done.wait()
            if shared.found is not None:
                return shared.found
            return await session.call(tool, **arguments)
        read = _Read(change, now)
        if len(self._reads) > PRUNE_ABOVE:
            self._prune(now)
        self._reads[key] = read
        try:
            read.found = await session.call(tool, **arguments)
            return read.found
        finally:
            read.done.set()

    def _prune(self, now: float) -> None:
        for key, read in list(self._reads.items()):
            if now - read.started >= FRESH_SECONDS:
                del self._reads[key]
