"""uvicorn for the bot: its h11 protocol with a deadline for receiving each request, so slow clients are closed."""

from __future__ import annotations

import asyncio

import h11
import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol

from bot.settings import BotSettings


class DeadlineH11Protocol(H11Protocol):
    """A connection gets `read_timeout` seconds to send a whole request (head and body) from its first byte (or
    from the moment it connects), and is closed when it does not. uvicorn times out only idle keep-alive
    connections, so without this a client that never finishes its headers holds a file descriptor for ever.

    Waiting for the response is not covered: once the request is in, the deadline is off until the next one."""

    read_timeout = 5.0

    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _watch(self) -> None:
        """Armed while the client still owes part of a request; off once h11 has it all (or the line is closing)."""
        receiving = self.conn.their_state in (h11.IDLE, h11.SEND_BODY) and not self.transport.is_closing()
        if receiving and self.conn.their_state is h11.IDLE and self.timeout_keep_alive_task is not None:
            receiving = False  # idle between requests: uvicorn's keep-alive timeout already covers this wait
        if receiving and self._deadline is None:
            self._deadline = self.loop.call_later(self.read_timeout, self._expire)
        elif not receiving:
            self._disarm()

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def protocol_with_read_timeout(seconds: float) -> type[DeadlineH11Protocol]:
    return type("DeadlineH11Protocol", (DeadlineH11Protocol,), {"read_timeout": seconds})


def uvicorn_config(app: ASGIApp, settings: BotSettings) -> uvicorn.Config:
    """How the bot is served: its own logging, no access log, the lifespan on, slow clients closed."""
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        http=protocol_with_read_timeout(settings.read_timeout_seconds),
        log_config=None,
        access_log=False,
        lifespan="on",
    )
