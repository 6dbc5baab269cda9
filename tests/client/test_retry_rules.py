"""Retry rules of the HTTP core, driven through httpx2's transport seam with scripted answers."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx2
import pytest

from chatwoot_mcp.client import (
    ChatwootClient,
    RateLimitedError,
    ServerError,
    TransportError,
)
from chatwoot_mcp.client._http import MAX_RETRY_AFTER, parse_retry_after

from .helpers import Script, SleepRecorder

TOKEN = "tok-Secret-123456"
OK_LABELS = httpx2.Response(200, json={"payload": ["vip"]})
MESSAGE = {"id": 5, "content": "oi", "message_type": 1, "created_at": 1_700_000_000, "private": False}


def make_client(script: Script, sleeps: SleepRecorder, **kwargs: Any) -> ChatwootClient:
    return ChatwootClient("http://chatwoot.test", TOKEN, 1, transport=script.transport, sleep=sleeps, **kwargs)


@pytest.mark.anyio
async def test_a_get_that_meets_503_is_retried_and_then_succeeds(
    script: Callable[..., Script], sleeps: SleepRecorder
) -> None:
    s = script(httpx2.Response(503), OK_LABELS)
    async with make_client(s, sleeps) as cw:
        assert await cw.conversations.labels(7) == ["vip"]
    assert len(s.requests) == 2
    assert len(sleeps.delays) == 1


@pytest.mark.anyio
async def test_a_get_gives_up_after_max_retries_with_the_last_status(
    script: Callable[..., Script], sleeps: SleepRecorder
) -> None:
    s = script(httpx2.Response(502))
    async with make_client(s, sleeps, max_retries=2) as cw:
        with pytest.raises(ServerError) as caught:
            await cw.conversations.labels(7)
    assert caught.value.status == 502
    assert len(s.requests) == 3
    assert len(sleeps.delays) == 2


@pytest.mark.anyio
async def test_max_retries_zero_sends_exactly_one_request(script: Callable[..., Script], sleeps: SleepRecorder) -> None:
    s = script(httpx2.Response(503), OK_LABELS)
    async with make_client(s, sleeps, max_retries=0) as cw:
        with pytest.raises(ServerError):
            await cw.conversations.labels(7)
    assert len(s.requests) == 1
    assert sleeps.delays == []


@pytest.mark.anyio
async def test_statuses_outside_429_502_503_504_are_not_retried(
    script: Callable[..., Script], sleeps: SleepRecorder
) -> None:
    s = script(httpx2.Response(500, json={"error": "boom"}), OK_LABELS)
    async with make_client(s, sleeps) as cw:
        with pytest.raises(ServerError, match="boom"):
            await cw.conversations.labels(7)
    assert len(s.requests) == 1


@pytest.mark.anyio
async def test_a_connect_error_on_a_get_is_retried(script: Callable[..., Script], sleeps: SleepRecorder) -> None:
    s = script(httpx2.ConnectError("connection refused"), OK_LABELS)
    async with make_client(s, sleeps) as cw:
        assert await cw.conversations.labels(7) == ["vip"]
    assert len(s.requests) == 2


@pytest.mark.anyio
async def test_a_read_timeout_that_persists_becomes_a_transport_error(
    script: Callable[..., Script], sleeps: SleepRecorder
) -> None:
    s = script(httpx2.ReadTimeout("timed out"))
    async with make_client(s, sleeps, max_retries=1) as cw:
        with pytest.raises(TransportError) as caught:
            await cw.conversations.get(7)
    assert len(s.requests) == 2
    assert caught.value.path == "/api/v1/accounts/1/conversations/7"
    assert caught.value.status is None
    assert "ReadTimeout" in str(caught.value)


@pytest.mark.anyio
async def test_a_message_post_that_meets_503_is_never_retried(
    script: Callable[..., Script], sleeps: SleepRecorder
) -> None:
    s = script(httpx2.Response(503), httpx2.Response(200, json=MESSAGE))
    async with make_client(s, sleeps) as cw:
        with pytest.raises(ServerError):
            await cw.messages.create(7, "oi")
    assert [r.method for r in s.requests] == ["POST"]
    assert sleeps.delays == []


@pytest.mark.anyio
async def test_a_message_post_that_times_out_raises_transport_error_without_a_second_post(
    script: Callable[..., Script], sleeps: SleepRecorder
) -> None:
    s = script(httpx2.ReadTimeout("timed out"), httpx2.Response(200, json=MESSAGE))
    async with make_client(s, sleeps) as cw:
        with pytest.raises(TransportError):
            await cw.messages.create(7, "oi")
    assert len(s.requests) == 1


@pytest.mark.anyio
async def test_a_conversation_create_that_meets_a_connection_reset_is_not_retried(
    script: Callable[..., Script], sleeps: SleepRecorder
) -> None:
    s = script(httpx2.RemoteProtocolError("peer closed"), httpx2.Response(200, json={"id": 9, "status": "open"}))
    async with make_client(s, sleeps) as cw:
        with pytest.raises(TransportError):
            await cw.conversations.create(inbox_id=1, contact_id=2)
    assert len(s.requests) == 1


@pytest.mark.anyio
async def test_idempotent_writes_are_retried(script: Callable[..., Script], sleeps: SleepRecorder) -> None:
    toggled = {"meta": {}, "payload": {"success": True, "conversation_id": 7, "current_status": "open"}}
    agent = {"id": 3, "name": "Ana"}
    s = script(
        httpx2.Response(503), httpx2.Response(200, json=toggled),
        httpx2.Response(504), httpx2.Response(200),
        httpx2.Response(502), httpx2.Response(200, json=agent),
        httpx2.Response(503), httpx2.Response(200, json=None),
        httpx2.Response(503), httpx2.Response(200, json={"id": 2, "name": "Bia"}),
        httpx2.Response(503), OK_LABELS,
        httpx2.Response(503), httpx2.Response(200),
    )  # fmt: skip
    async with make_client(s, sleeps) as cw:
        assert (await cw.conversations.toggle_status(7, "open")).current_status == "open"
        await cw.conversations.toggle_priority(7, "high")
        assert (await cw.conversations.assign_agent(7, 3)) is not None
        assert await cw.conversations.assign_team(7, None) is None
        assert (await cw.conversations.assign_agent_bot(7, 2)).name == "Bia"
        assert await cw.conversations.set_labels(7, ["vip"]) == ["vip"]
        await cw.inboxes.set_agent_bot(1, None)
    assert len(s.requests) == 14
    assert len(sleeps.delays) == 7


@pytest.mark.anyio
async def test_toggle_status_without_a_status_is_not_retried_because_a_repeat_would_undo_it(
    script: Callable[..., Script], sleeps: SleepRecorder
) -> None:
    toggled = {"payload": {"success": True, "conversation_id": 7, "current_status": "open"}}
    s = script(httpx2.Response(503), httpx2.Response(200, json=toggled))
    async with make_client(s, sleeps) as cw:
        with pytest.raises(ServerError):
            await cw.conversations.toggle_status(7)
    assert len(s.requests) == 1


@pytest.mark.anyio
async def test_a_429_with_retry_after_seconds_waits_that_long(
    script: Callable[..., Script], sleeps: SleepRecorder
) -> None:
    s = script(httpx2.Response(429, headers={"Retry-After": "7"}, text="Retry later"), OK_LABELS)
    async with make_client(s, sleeps) as cw:
        assert await cw.conversations.labels(7) == ["vip"]
    assert sleeps.delays == [7.0]


@pytest.mark.anyio
async def test_a_retry_after_beyond_the_cap_waits_only_the_cap(
    script: Callable[..., Script], sleeps: SleepRecorder
) -> None:
    s = script(httpx2.Response(429, headers={"Retry-After": "3600"}), OK_LABELS)
    async with make_client(s, sleeps) as cw:
        await cw.conversations.labels(7)
    assert sleeps.delays == [MAX_RETRY_AFTER]


@pytest.mark.anyio
async def test_a_429_that_persists_raises_rate_limited_with_the_hint_and_chatwoots_text(
    script: Callable[..., Script], sleeps: SleepRecorder
) -> None:
    s = script(httpx2.Response(429, headers={"Retry-After": "2", "content-type": "text/plain"}, text="Retry later\n"))
    async with make_client(s, sleeps, max_retries=1) as cw:
        with pytest.raises(RateLimitedError) as caught:
            await cw.contacts.search("ana")
    assert caught.value.retry_after == 2.0
    assert caught.value.error_text == "Retry later"
    assert str(caught.value) == "GET /api/v1/accounts/1/contacts/search → 429: Retry later"


def test_retry_after_as_an_http_date_is_the_seconds_until_that_date() -> None:
    now = datetime(2026, 11, 22, 6, 0, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=12), usegmt=True)
    assert parse_retry_after(header, now=now.timestamp()) == 12.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=5), usegmt=True), now=now.timestamp()) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.mark.anyio
async def test_backoff_is_full_jitter_below_an_exponential_ceiling(
    script: Callable[..., Script], sleeps: SleepRecorder
) -> None:
    s = script(httpx2.Response(503))
    async with make_client(s, sleeps, max_retries=3, backoff_base=0.5, rng=random.Random(4)) as cw:
        with pytest.raises(ServerError):
            await cw.conversations.labels(7)
    assert len(sleeps.delays) == 3
    for attempt, delay in enumerate(sleeps.delays, start=1):
        assert 0.0 <= delay <= 0.5 * 2 ** (attempt - 1)
    assert len(set(sleeps.delays)) == 3
