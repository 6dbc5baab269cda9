"""The bot served as `chatwoot-bot` serves it, on a real port, against hostile clients: absurd signature
timestamps and connections that never finish their request."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
import uvicorn

from bot.app import create_app
from bot.server import uvicorn_config
from bot.settings import BotSettings
from chatwoot_mcp.config import Settings
from chatwoot_mcp.signature import sign
from tests.bot import payloads as p
from tests.bot.harness import free_port
from tests.bot.responders import EchoResponder

pytestmark = pytest.mark.anyio

SECRET = "whsec-hostile"


@pytest.fixture(params=[("asyncio", {}), ("asyncio", {"use_uvloop": True})], ids=["asyncio", "uvloop"])
def anyio_backend(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    """The command serves on uvloop where it is installed (uvicorn's loop "auto"): the deadlines must hold on both."""
    return request.param


def settings_for(tmp_path: Path, **overrides: Any) -> BotSettings:
    chatwoot = Settings(chatwoot_url="http://127.0.0.1:9", api_token="t", account_id=1, webhook_secret=SECRET)
    # A long debounce keeps the worker idle: these tests look at what reaches intake.
    values: dict[str, Any] = {
        "debounce_seconds": 600,
        "database_url": f"sqlite:///{tmp_path}/bot.sqlite3",
        "port": free_port(),
    }
    return BotSettings(chatwoot=chatwoot, **(values | overrides))


@asynccontextmanager
async def served(settings: BotSettings) -> AsyncIterator[str]:
    """The bot app under the same uvicorn configuration as the command; yields its base URL."""
    server = uvicorn.Server(uvicorn_config(create_app(settings, responder=EchoResponder()), settings))
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve)
        with anyio.fail_after(10):
            while not server.started:
                await anyio.sleep(0.02)
        try:
            yield f"http://127.0.0.1:{settings.port}"
        finally:
            server.should_exit = True


def signed_headers(body: bytes, stamp: str) -> dict[str, bytes]:
    return {
        "content-type": b"application/json",
        "x-chatwoot-timestamp": stamp.encode(),  # UTF-8 on the wire, as a client may send it
        "x-chatwoot-signature": sign(SECRET, stamp, body).encode(),
    }


async def test_absurd_timestamps_get_401_and_count_as_failed_verifications(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    settings = settings_for(tmp_path, verify_failures_per_minute=8)
    body = p.encode(p.message())
    stamps = ["9" * 400, str(10**30), "-1781697602", "not-a-time", "1.7e9", "9" * 4000, "١٧٨١٦٩٧٦٠٢", str(2**64)]
    async with served(settings) as base, httpx2.AsyncClient(base_url=base, timeout=10) as http:
        codes = [
            (await http.post("/webhooks/chatwoot", content=body, headers=signed_headers(body, s))).status_code
            for s in stamps
        ]
        assert codes == [401] * len(stamps)
        # The limiter counted every one of them: the next failure from this address is throttled.
        throttled = await http.post("/webhooks/chatwoot", content=body, headers=signed_headers(body, "9" * 400))
        assert throttled.status_code == 429
        # A valid delivery still passes.
        fresh = signed_headers(body, str(int(time.time())))
        assert (await http.post("/webhooks/chatwoot", content=body, headers=fresh)).status_code == 200
    reasons = [getattr(r, "fields", {}).get("reason") for r in caplog.records if r.getMessage() == "webhook_unverified"]
    assert reasons == ["malformed timestamp"] * len(stamps)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_connections_that_never_finish_a_request_are_closed_while_deliveries_go_on(tmp_path: Path) -> None:
    timeout = 1.0
    settings = settings_for(tmp_path, read_timeout_seconds=timeout)
    body = p.encode(p.message())
    async with served(settings) as base:
        streams: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        opened = time.monotonic()
        for i in range(200):
            reader, writer = await asyncio.open_connection("127.0.0.1", settings.port)
            if i % 4 == 0:
                pass  # connects and says nothing
            elif i % 4 == 1:
                writer.write(b"POST /webhooks/chatwoot HTTP/1.1\r\nHost: bot\r\nContent-Type: appl")
            elif i % 4 == 2:  # a whole head, then a body that never comes
                head = b"POST /webhooks/chatwoot HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
                writer.write(head + b"Content-Length: 5000\r\n\r\n{")
            else:
                writer.write(b"POST /webhooks/chatwoot HTTP/1.1\r\n")
            streams.append((reader, writer))
        # A slow-loris that keeps sending a byte of its head at a time is closed all the same.
        trickler_reader, trickler = await asyncio.open_connection("127.0.0.1", settings.port)
        trickler.write(b"POST /webhooks/chatwoot HTTP/1.1\r\n")

        async def trickle() -> None:
            for _ in range(200):
                if trickler.is_closing():
                    return
                try:
                    trickler.write(b"X")
                    await trickler.drain()
                except ConnectionError:
                    return
                await anyio.sleep(timeout / 5)

        async with anyio.create_task_group() as tg:
            tg.start_soon(trickle)
            # Meanwhile Chatwoot's delivery is answered as usual.
            async with httpx2.AsyncClient(base_url=base, timeout=10) as http:
                headers = signed_headers(body, str(int(time.time())))
                response = await http.post("/webhooks/chatwoot", content=body, headers=headers)
                assert response.status_code == 200 and response.json()["status"] == "accepted"
            with anyio.fail_after(timeout + 15):
                for reader, _ in [*streams, (trickler_reader, trickler)]:
                    assert await reader.read() == b""  # the server closed it without an answer
            closed_after = time.monotonic() - opened
            tg.cancel_scope.cancel()
        for _, writer in [*streams, (trickler_reader, trickler)]:
            writer.close()
        assert closed_after >= timeout  # the half requests were given their time, then closed


async def test_a_kept_alive_connection_that_starts_a_second_request_and_stalls_is_closed(tmp_path: Path) -> None:
    timeout = 1.0
    settings = settings_for(tmp_path, read_timeout_seconds=timeout)
    async with served(settings):
        reader, writer = await asyncio.open_connection("127.0.0.1", settings.port)
        writer.write(b"GET /health HTTP/1.1\r\nHost: bot\r\n\r\n")
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200")
        lengths = [line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")]
        await reader.readexactly(int(lengths[0]))
        # The next request's head starts and never ends: the deadline applies again, from its first byte.
        writer.write(b"POST /webhooks/chatwoot HTTP/1.1\r\nHost: bot\r\n")
        started = time.monotonic()
        with anyio.fail_after(timeout + 15):
            assert await reader.read() == b""
        assert time.monotonic() - started >= timeout * 0.9
        writer.close()
