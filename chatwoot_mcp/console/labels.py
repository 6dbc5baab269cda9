"""The account's labels for the list's filter, read through `chatwoot_list_labels` and kept a minute: every
person may list them, and they change seldom, so a page load rarely costs a tool call."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from chatwoot_mcp.console.sessions import Session
from chatwoot_mcp.server.session import ToolCallFailed

TTL_SECONDS = 60.0


@dataclass
class LabelCache:
    ttl: float = TTL_SECONDS
    clock: Callable[[], float] = time.monotonic
    _titles: list[str] | None = None
    _until: float = field(default=0.0)

    async def titles(self, session: Session) -> list[str] | None:
        """The labels' titles, or None when they cannot be read now (the filter then takes free text)."""
        now = self.clock()
        if self._titles is not None and now < self._until:
            return self._titles
        try:
            result = await session.call("chatwoot_list_labels")
        except ToolCallFailed:
            return self._titles  # the last list known, if any, beats none
        self._titles = [item["title"] for item in result["items"] if item.get("title")]
        self._until = now + self.ttl
        return self._titles
