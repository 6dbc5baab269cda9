"""The console's HTTP protocol: a response's writes leave in one send, and uvicorn still serves through it."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import anyio
import httpx2
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from chatwoot_mcp.console.transport import CoalescingH11Protocol, CoalescingTransport

pytestmark = pytest.mark.anyio


class RecordingTransport:
    """Stands for the socket's transport: what reached it, write by write."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_write_buffer_size(self) -> int:
        return 0


async def test_writes_of_one_turn_leave_together_and_a_close_sends_what_is_pending_first() -> None:
    raw = RecordingTransport()
    transport = CoalescingTransport(raw, asyncio.get_running_loop())  # type: ignore[arg-type]
    transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n")
    transport.write(b"body")
    transport.write(b"")
    assert raw.writes == []
    await asyncio.sleep(0)  # one turn of the event loop
    assert raw.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nbody"]

    transport.write(b"data: 1\n\n")
    transport.flush()  # a complete response does not wait for the turn
    transport.write(b"data: 2\n\n")
    transport.close()
    assert raw.writes[1:] == [b"data: 1\n\n", b"data: 2\n\n"] and raw.closed
    assert transport.get_write_buffer_size() == 0  # the rest passes through


async def page(_: Request) -> Response:
    return PlainTextResponse("x" * 20_000)


async def stream(_: Request) -> Response:
    async def chunks() -> AsyncIterator[bytes]:
        for n in range(3):
            yield f"data: {n}\n\n".encode()
            await anyio.sleep(0.01)

    return StreamingResponse(chunks(), media_type="text/event-stream")


async def test_uvicorn_serves_plain_and_streamed_responses_on_one_kept_alive_connection() -> None:
    app = Starlette(routes=[Route("/page", page), Route("/stream", stream)])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, http=CoalescingH11Protocol, log_level="warning", lifespan="off"))
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve, [sock])
        with anyio.fail_after(10):
            while not server.started:
                await anyio.sleep(0.01)
        async with httpx2.AsyncClient(timeout=10) as http:
            for _ in range(3):
                assert (await http.get(f"{url}/page")).text == "x" * 20_000
            async with http.stream("GET", f"{url}/stream") as streamed:
                received = [line async for line in streamed.aiter_lines() if line]
            assert received == ["data: 0", "data: 1", "data: 2"]
            assert (await http.get(f"{url}/page")).status_code == 200
        assert server.server_state.total_requests == 5 and len(server.server_state.connections) == 1
        server.should_exit = True
