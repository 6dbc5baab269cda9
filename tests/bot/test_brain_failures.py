"""The OpenAI responder when the model fails: HTTP errors, retries, timeouts, silence, a leaked key."""

from __future__ import annotations

import pytest

from bot.brain import BrainError
from tests.bot.brain_harness import API_KEY, context, make_responder
from tests.fakes.openai_server import FakeOpenAI, text_step


@pytest.mark.anyio
@pytest.mark.parametrize("status", [500, 429])
async def test_server_errors_raise_brain_error_after_the_clients_retries(fake: FakeOpenAI, status: int) -> None:
    fake.push_error(status, count=3)
    async with make_responder(fake, max_retries=2) as responder:
        with pytest.raises(BrainError, match=f"HTTP {status}.*3 attempt"):
            await responder.respond(context())

    assert [r.retry_count for r in fake.requests] == [0, 1, 2]
    assert fake.pending == 0


@pytest.mark.anyio
async def test_a_passing_error_is_retried_and_the_reply_still_arrives(fake: FakeOpenAI) -> None:
    fake.push_error(503).push_text("Oi! Em que posso ajudar?")
    async with make_responder(fake, max_retries=2) as responder:
        outcome = await responder.respond(context())

    assert outcome.reply == "Oi! Em que posso ajudar?"
    assert [r.retry_count for r in fake.requests] == [0, 1]


@pytest.mark.anyio
async def test_a_model_slower_than_the_timeout_raises_brain_error_after_retries(fake: FakeOpenAI) -> None:
    fake.push_slow(30).push_slow(30)
    async with make_responder(fake, timeout=0.3, max_retries=1) as responder:
        with pytest.raises(BrainError, match=r"within 0.3 s \(2 attempt"):
            await responder.respond(context())

    assert [r.retry_count for r in fake.requests] == [0, 1]


@pytest.mark.anyio
async def test_a_whole_answer_is_bounded_by_the_total_timeout(fake: FakeOpenAI) -> None:
    fake.push_slow(30)
    async with make_responder(fake, timeout=10, max_retries=0, total_timeout=0.3) as responder:
        with pytest.raises(BrainError, match="no answer within 0.3 s"):
            await responder.respond(context())


@pytest.mark.anyio
async def test_error_messages_never_contain_the_api_key(fake: FakeOpenAI) -> None:
    leak = text_step(None)
    leak.status = 401
    leak.body = {"error": {"message": f"Incorrect API key provided: {API_KEY}", "code": "invalid_api_key"}}
    fake.push(leak)
    async with make_responder(fake) as responder:
        with pytest.raises(BrainError) as caught:
            await responder.respond(context())
        assert API_KEY not in repr(responder)

    assert "HTTP 401, invalid_api_key" in str(caught.value)
    assert API_KEY not in str(caught.value) and caught.value.__cause__ is None
    assert len(fake.requests) == 1  # 401 is not retried


@pytest.mark.anyio
async def test_a_model_that_never_replies_raises_brain_error_rather_than_staying_silent(fake: FakeOpenAI) -> None:
    for _ in range(3):
        fake.push_tool_calls(("add_private_note", {"text": "pensando"}))
    async with make_responder(fake, max_rounds=3) as responder:
        with pytest.raises(BrainError, match="neither a reply nor a handoff"):
            await responder.respond(context())

    assert len(fake.requests) == 3


@pytest.mark.anyio
async def test_an_empty_answer_raises_brain_error(fake: FakeOpenAI) -> None:
    fake.push_text("   ")
    async with make_responder(fake) as responder:
        with pytest.raises(BrainError):
            await responder.respond(context())


@pytest.mark.anyio
async def test_an_unreachable_server_raises_brain_error(fake: FakeOpenAI) -> None:
    async with make_responder(fake, base_url="http://127.0.0.1:9/v1", max_retries=0) as responder:
        with pytest.raises(BrainError, match="could not reach"):
            await responder.respond(context())
