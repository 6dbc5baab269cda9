"""Chatwoot faults injected through /_sandbox/: a post that times out and lands late, a conversation that is gone,
a store that fails after the model answered."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.brain.openai_responder import OpenAIResponder
from bot.brain.prompt import load_system_prompt
from bot.store.sqlite import SQLiteStore
from tests.bot.conftest import pg_schema
from tests.bot.harness import Chatwoot, Customer, bot_settings, eventually, running_bot
from tests.bot.test_one_reply_per_message import (
    ThinkingEcho,
    check_one_reply_per_message,
    no_pending,
)
from tests.fakes.openai_server import FakeOpenAI, handoff_or_echo

pytestmark = pytest.mark.anyio

MESSAGES = r"/api/v1/accounts/\d+/conversations/{cid}/messages"
ANY_OF_CONVERSATION = r"/api/v1/accounts/\d+/conversations/{cid}(/.*)?"


@asynccontextmanager
async def database(kind: str, tmp_path: Path) -> AsyncIterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path}/bot.sqlite3"
        return
    async with pg_schema() as url:
        yield url


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize("late", [True, False], ids=["created-late", "lost"])
async def test_a_reply_whose_post_timed_out_is_settled_before_anything_newer_is_posted(
    chatwoot: Chatwoot, tmp_path: Path, backend: str, late: bool
) -> None:
    responder = ThinkingEcho()
    async with database(backend, tmp_path) as url:
        settings = bot_settings(chatwoot.sandbox, None, url, debounce_seconds=0.1, settle_seconds=2.5)
        async with running_bot(chatwoot, settings, responder=responder) as app:
            store = app.state.store
            customer = Customer(chatwoot)
            cid = await customer.start()
            # The gateway gives up on the reply's POST; with `late`, Chatwoot creates it 1.5 s afterwards.
            fault: dict[str, Any] = {"method": "POST", "path": MESSAGES.format(cid=cid), "status": 504}
            await chatwoot.control("POST", "faults", json=fault | ({"late": 1.5} if late else {}))
            first = await customer.say("primeira")

            async def failed_once() -> bool:
                return [job.attempts for job in await store.pending_jobs(cid)] == [1]

            await eventually(failed_once)
            # A newer message while the first reply is unsettled: its reply must come after the first one.
            second = await customer.say("segunda")
            await eventually(lambda: chatwoot.delivered(cid, second))
            await eventually(lambda: no_pending(app), timeout=20)
        replies = await check_one_reply_per_message(chatwoot, cid)
    assert [r["source_id"] for r in replies] == [f"bot:{first}", f"bot:{second}"]
    assert responder.calls == 2


async def test_a_conversation_chatwoot_no_longer_has_ends_the_job_at_once(chatwoot: Chatwoot, tmp_path: Path) -> None:
    settings = bot_settings(chatwoot.sandbox, None, f"sqlite:///{tmp_path}/bot.sqlite3", debounce_seconds=0.1)
    responder = ThinkingEcho()
    async with running_bot(chatwoot, settings, responder=responder) as app:
        customer = Customer(chatwoot)
        cid = await customer.start()
        # Deleted in Chatwoot: every request about it is a 404 from now on.
        gone = {"method": "*", "path": ANY_OF_CONVERSATION.format(cid=cid), "status": 404, "count": 1000}
        await chatwoot.control("POST", "faults", json=gone)
        await chatwoot.control("DELETE", "requests")
        asked = await customer.say("oi")
        await eventually(lambda: chatwoot.delivered(cid, asked))
        await eventually(lambda: no_pending(app))
        store = app.state.store
        assert await store.count_jobs("failed") == 1
        requests = [r for r in await chatwoot.control("GET", "requests") if f"/conversations/{cid}" in r["path"]]
    # One read of the conversation and one look to tell a gone conversation from a passing failure; no retries.
    assert len([r for r in requests if r["token"] != "none"]) <= 2
    assert responder.calls == 0


async def test_a_conversation_closed_while_the_model_thinks_drops_the_reply_without_retries(
    chatwoot: Chatwoot, tmp_path: Path
) -> None:
    settings = bot_settings(chatwoot.sandbox, None, f"sqlite:///{tmp_path}/bot.sqlite3", debounce_seconds=0.1)

    class ClosingResponder(ThinkingEcho):
        async def respond(self, ctx: Any) -> Any:
            response = await chatwoot.api(
                "POST", f"conversations/{ctx.conversation_id}/toggle_status", json={"status": "resolved"}
            )
            response.raise_for_status()
            return await super().respond(ctx)

    responder = ClosingResponder()
    async with running_bot(chatwoot, settings, responder=responder) as app:
        customer = Customer(chatwoot)
        cid = await customer.start()
        asked = await customer.say("oi")
        await eventually(lambda: chatwoot.delivered(cid, asked))
        await eventually(lambda: no_pending(app))
        assert await app.state.store.count_jobs("dropped") == 1
        assert [job.attempts for job in await app.state.store.pending_jobs()] == []
    assert await chatwoot.bot_replies(cid) == []
    assert responder.calls == 1


class FlakySaveStore(SQLiteStore):
    """SQLite whose first outcome write fails the way a locked database does, after the model has answered."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.save_failures = 0

    async def save_outcome(self, key: str, **kwargs: Any) -> dict[str, Any]:
        if self.save_failures == 0:
            self.save_failures += 1
            raise sqlite3.OperationalError("database is locked")
        return await super().save_outcome(key, **kwargs)


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(default=handoff_or_echo) as fake:
        yield fake


@pytest.mark.parametrize("fault", ["store", "post"])
async def test_a_job_failing_after_the_model_answered_never_asks_the_model_again(
    chatwoot: Chatwoot, tmp_path: Path, fake_openai: FakeOpenAI, fault: str
) -> None:
    store = FlakySaveStore(tmp_path / "bot.sqlite3") if fault == "store" else SQLiteStore(tmp_path / "bot.sqlite3")
    responder = OpenAIResponder(
        api_key="sk-test", base_url=fake_openai.base_url, model="gpt-test", system_prompt=load_system_prompt(None)
    )
    settings = bot_settings(chatwoot.sandbox, None, f"sqlite:///{tmp_path}/bot.sqlite3", debounce_seconds=0.1)
    try:
        async with running_bot(chatwoot, settings, responder=responder, store=store) as app:
            customer = Customer(chatwoot)
            cid = await customer.start()
            if fault == "post":
                await chatwoot.control(
                    "POST", "faults", json={"method": "POST", "path": MESSAGES.format(cid=cid), "status": 500}
                )
            asked = await customer.say("Qual o prazo?")
            await eventually(lambda: chatwoot.delivered(cid, asked))
            await eventually(lambda: no_pending(app), timeout=15)
            assert await app.state.store.count_jobs("done") == 1
    finally:
        await responder.aclose()
    assert [r["content"] for r in await chatwoot.bot_replies(cid)] == ["BIA responde: Qual o prazo?"]
    assert len(fake_openai.requests) == 1
    if fault == "store":
        assert store.save_failures == 1
