"""What the bot knows of each conversation, cached in front of the store, and the locks its writers hold."""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from bot.store.base import ConversationState, Store

STATE_LOCK_STRIPES = 64
STATE_CACHE_SIZE = 10_000


class ConversationStates:
    """The state rows of one process's database: the process owns it, so what it wrote or read is current.
    `shared`: other processes write the same rows (replicas on PostgreSQL), so every load reads the store."""

    def __init__(self, store: Store, *, size: int = STATE_CACHE_SIZE, shared: bool = False) -> None:
        self.store = store
        self.size = 0 if shared else size
        self.shared = shared
        self._states: OrderedDict[int, ConversationState | None] = OrderedDict()
        # True while the cache holds every state row there is (loaded at start, nothing evicted since): a
        # conversation missing from it has no row, and a first message needs no read.
        self._complete = False
        # Conversations whose row may or may not have been written (a store call failed part-way): read them
        # again, while the rest of a complete cache stays trusted.
        self._unknown: set[int] = set()
        # asyncio's own lock: the bot runs on asyncio, and anyio's costs intake a task lookup per webhook.
        self._locks = [asyncio.Lock() for _ in range(STATE_LOCK_STRIPES)]

    def lock(self, conversation_id: int) -> asyncio.Lock:
        """Held by whoever reads, changes and writes a conversation's state row (intake and the worker)."""
        return self._locks[conversation_id % STATE_LOCK_STRIPES]

    async def load_all(self) -> None:
        """Fill the cache with every row, when they fit in it."""
        if self.shared:
            return
        states = await self.store.all_states(self.size)
        if states is None:
            return
        self._states.clear()
        self._unknown.clear()
        for state in states:
            self._states[state.conversation_id] = state
        self._complete = True

    async def load(self, conversation_id: int) -> ConversationState | None:
        """The conversation's state, from memory when this process wrote or read it recently."""
        if conversation_id in self._states:
            self._states.move_to_end(conversation_id)
            return self._states[conversation_id]
        if self._complete and conversation_id not in self._unknown:
            return None
        state = await self.store.get_state(conversation_id)
        self.remember(conversation_id, state)
        return state

    async def read(self, conversation_id: int) -> ConversationState | None:
        """`load` for a caller that does not hold the conversation's lock: a store read then cannot put an older
        row in the cache over the one a writer holding the lock has just stored."""
        async with self.lock(conversation_id):
            return await self.load(conversation_id)

    def remember(self, conversation_id: int, state: ConversationState | None) -> None:
        """Record what was just written to (or read from) the store."""
        if self.shared:
            return
        self._states[conversation_id] = state
        self._states.move_to_end(conversation_id)
        self._unknown.discard(conversation_id)
        while len(self._states) > self.size:
            self._states.popitem(last=False)
            self._complete = False
            self._unknown.clear()

    def forget(self, conversation_id: int) -> None:
        """The stored state is not known any more (a write may or may not have landed): read it next time."""
        self._states.pop(conversation_id, None)
        if self._complete:
            self._unknown.add(conversation_id)
