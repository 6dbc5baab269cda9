"""The MCP tool session the worker's batches share, open for as long as the worker runs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from bot.actions import Tools
from bot.logs import log_event
from bot.settings import BotSettings
from chatwoot_mcp.server.session import ToolSession, ToolSessions

logger = logging.getLogger(__name__)

REOPEN_SECONDS = 1.0
OPEN_TIMEOUT_SECONDS = 30.0


def describe_error(exc: BaseException) -> str:
    # The MCP client's task group wraps what was raised inside the session; report the cause itself.
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:300]


class SharedToolSession:
    """One MCP client session for every batch of the worker, open while it runs: a session per batch made the
    client build every tool's output-schema validator again each time, a third of the bot's CPU per reply."""

    def __init__(self, sessions: ToolSessions) -> None:
        self._sessions = sessions
        self._session: ToolSession | None = None
        self._opened = anyio.Event()

    async def serve(self) -> None:
        """Hold the session open until cancelled; open a new one if it breaks. Run in the background: the bot
        starts without waiting for it, and the first batch waits until it is open."""
        while True:
            try:
                async with self._sessions() as session:
                    self._session = session
                    self._opened.set()
                    await anyio.sleep_forever()
            except Exception as exc:  # the session broke: the batches meanwhile fail and are retried
                log_event(logger, "tool_session_failed", logging.ERROR, error=describe_error(exc))
            finally:
                self._session = None
                if self._opened.is_set():
                    self._opened = anyio.Event()
            await anyio.sleep(REOPEN_SECONDS)

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[Tools]:
        with anyio.move_on_after(OPEN_TIMEOUT_SECONDS):
            await self._opened.wait()
        if self._session is None:
            raise RuntimeError("the MCP tool session is not open")
        yield self._session

    async def aclose(self) -> None:
        await self._sessions.aclose()


def default_tools_factory(settings: BotSettings) -> SharedToolSession:
    """One MCP tool session on one in-memory server (or a remote one), as the AgentBot when a bot token is set."""
    return SharedToolSession(
        ToolSessions(
            settings.chatwoot,
            act_as_bot=settings.chatwoot.bot_token is not None,
            url=settings.mcp_url,
            token=settings.mcp_token.get_secret_value() if settings.mcp_token is not None else None,
        )
    )
