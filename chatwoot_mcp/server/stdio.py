"""Stdio without a thread hop per message: the client's pipes are read and written on the event loop.

The SDK's stdio transport reads every line and writes every answer through worker threads, three hand-offs per
tool call. When stdin and stdout are pipes or sockets (how MCP clients spawn servers), asyncio can do both
directly; anything else (a terminal, a file, Windows) keeps the SDK's transport. As in the SDK, fd 0 and 1 are
moved aside while serving, so a stray print lands on stderr and a child process reads EOF, never the protocol.
"""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

# The SDK's own reader has no limit at all; this one is far above any request a client sends.
MAX_LINE = 1024 * 1024 * 1024
DRAIN_ON_EXIT_SECONDS = 5.0


class LineReader:
    """`async for line in reader`: the lines of the client's pipe, decoded as the SDK decodes them."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader

    def __aiter__(self) -> LineReader:
        return self

    async def __anext__(self) -> str:
        line = await self._reader.readline()
        if not line:
            raise StopAsyncIteration
        return line.decode("utf-8", errors="replace")


class LineWriter:
    """What the SDK's stdout writer calls: `write(text)` then `flush()`."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer

    async def write(self, text: str) -> None:
        self._writer.write(text.encode("utf-8"))

    async def flush(self) -> None:
        await self._writer.drain()  # waits only when the client is not reading


def _is_pipe(fd: int) -> bool:
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


@asynccontextmanager
async def pipe_streams() -> AsyncIterator[tuple[LineReader, LineWriter] | None]:
    """The client's stdin and stdout as event-loop streams, or None where the SDK's transport should be used."""
    if sys.platform == "win32" or not (_is_pipe(0) and _is_pipe(1)):
        yield None
        return
    sys.stdout.flush()
    wire_in, wire_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=MAX_LINE)
    read_transport: asyncio.BaseTransport | None = None
    write_transport: asyncio.WriteTransport | None = None
    writer: asyncio.StreamWriter | None = None
    try:
        read_transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(wire_in, "rb", buffering=0, closefd=False)
        )
        write_transport, protocol = await loop.connect_write_pipe(
            asyncio.streams.FlowControlMixin, os.fdopen(wire_out, "wb", buffering=0, closefd=False)
        )
        writer = asyncio.StreamWriter(write_transport, protocol, None, loop)
        yield LineReader(reader), LineWriter(writer)
    finally:
        try:
            if writer is not None:
                # Answers still buffered (a client slow to read) go out before the descriptor does.
                with suppress(OSError, TimeoutError):
                    await asyncio.wait_for(writer.drain(), DRAIN_ON_EXIT_SECONDS)
        finally:
            if read_transport is not None:
                read_transport.close()
            if write_transport is not None:
                write_transport.abort()  # stops watching the descriptor now; nothing is left to write
            # Give the wire back to fd 0 and 1, blocking again, as the SDK's transport leaves them.
            for fd, std in ((wire_in, 0), (wire_out, 1)):
                with suppress(OSError):
                    os.set_blocking(fd, True)
                    os.dup2(fd, std)
                with suppress(OSError):
                    os.close(fd)
