"""Retry and no-retry rules against the sandbox, with faults injected through its control API."""

from __future__ import annotations

import socket

import anyio
import pytest

from chatwoot_mcp.client import (
    ChatwootClient,
    RateLimitedError,
    ServerError,
    TransportError,
)

from .helpers import SleepRecorder, fault, logged, open_client, raw

pytestmark = pytest.mark.anyio

CONVERSATIONS = r"/api/v1/accounts/1/conversations"
MESSAGES_OF_1 = r"/api/v1/accounts/1/conversations/1/messages"


async def test_a_503_on_a_list_is_retried_and_the_second_attempt_succeeds(sandbox, sleeps: SleepRecorder) -> None:
    fault(sandbox, "GET", CONVERSATIONS, 503)
    async with open_client(sandbox, sleep=sleeps) as cw:
        page = await cw.conversations.list()
    assert {c.id for c in page.items} == {3, 4}
    assert [r["status"] for r in logged(sandbox, "GET", CONVERSATIONS)] == [503, 200]
    assert len(sleeps.delays) == 1


async def test_a_503_on_message_create_is_raised_and_only_one_post_was_sent(sandbox, sleeps: SleepRecorder) -> None:
    before = len(raw(sandbox, "conversations/1/messages")["payload"])
    fault(sandbox, "POST", MESSAGES_OF_1, 503)
    async with open_client(sandbox, sleep=sleeps) as cw:
        with pytest.raises(ServerError) as caught:
            await cw.messages.create(1, "Não repita esta mensagem")
    assert caught.value.status == 503
    assert caught.value.method == "POST" and caught.value.path == MESSAGES_OF_1
    assert len(logged(sandbox, "POST", MESSAGES_OF_1)) == 1
    assert sleeps.delays == []
    assert len(raw(sandbox, "conversations/1/messages")["payload"]) == before


async def test_a_429_with_retry_after_is_honoured_through_the_injected_sleep(sandbox, sleeps: SleepRecorder) -> None:
    fault(sandbox, "GET", r"/api/v1/accounts/1/agents", 429, headers={"Retry-After": "3"}, body="Retry later")
    async with open_client(sandbox, sleep=sleeps) as cw:
        agents = await cw.agents.list()
    assert len(agents) == 3
    assert sleeps.delays == [3.0]
    assert [r["status"] for r in logged(sandbox, "GET", "/api/v1/accounts/1/agents")] == [429, 200]


async def test_a_429_that_outlasts_the_retries_is_raised_with_its_retry_after(sandbox, sleeps: SleepRecorder) -> None:
    fault(sandbox, "GET", r"/api/v1/accounts/1/teams", 429, count=5, headers={"Retry-After": "1"},
          body="Retry later")  # fmt: skip
    async with open_client(sandbox, sleep=sleeps, max_retries=2) as cw:
        with pytest.raises(RateLimitedError) as caught:
            await cw.teams.list()
    assert caught.value.retry_after == 1.0
    assert caught.value.error_text == "Retry later"
    assert sleeps.delays == [1.0, 1.0]
    assert len(logged(sandbox, "GET", "/api/v1/accounts/1/teams")) == 3


async def test_a_read_timeout_on_a_get_is_retried(sandbox, sleeps: SleepRecorder) -> None:
    fault(sandbox, "GET", r"/api/v1/accounts/1/conversations/3", None, delay=1.0)
    async with open_client(sandbox, sleep=sleeps, timeout=0.3) as cw:
        conv = await cw.conversations.get(3)
    assert conv.id == 3
    assert len(sleeps.delays) == 1


async def test_a_read_timeout_on_message_create_raises_transport_error_and_is_never_resent(
    sandbox, sleeps: SleepRecorder
) -> None:
    fault(sandbox, "POST", MESSAGES_OF_1, None, delay=1.0)
    async with open_client(sandbox, sleep=sleeps, timeout=0.3) as cw:
        with pytest.raises(TransportError) as caught:
            await cw.messages.create(1, "Talvez enviada", source_id="maybe-1")
    assert caught.value.status is None and "ReadTimeout" in str(caught.value)
    assert sleeps.delays == []
    # The request may still have been processed: wait for the sandbox to finish it, then count the posts.
    with anyio.fail_after(5):
        while not logged(sandbox, "POST", MESSAGES_OF_1):
            await anyio.sleep(0.05)
    assert len(logged(sandbox, "POST", MESSAGES_OF_1)) == 1
    sources = [m["source_id"] for m in raw(sandbox, "conversations/1/messages")["payload"]]
    assert sources.count("maybe-1") <= 1


async def test_a_refused_connection_is_a_transport_error_after_the_retries(sleeps: SleepRecorder) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with ChatwootClient(f"http://127.0.0.1:{port}", "tok-unused", 1, sleep=sleeps, max_retries=2) as cw:
        with pytest.raises(TransportError) as caught:
            await cw.inboxes.list()
    assert "ConnectError" in str(caught.value)
    assert len(sleeps.delays) == 2
