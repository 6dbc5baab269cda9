"""The bot end to end, continued: failures, limits, PostgreSQL, replays, shutdown, a remote MCP server."""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path

import anyio
import httpx2
import pytest
import uvicorn
from pydantic import SecretStr

from bot.brain.base import BotContext, Outcome
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SQLiteStore
from chatwoot_mcp.server.app import build_server
from chatwoot_mcp.server.http import MCP_PATH, http_app
from chatwoot_mcp.signature import sign
from tests.bot.conftest import pg_schema
from tests.bot.harness import (
    Chatwoot,
    Customer,
    all_done,
    bot_settings,
    chatwoot_settings,
    eventually,
    free_port,
    jobs_done,
    running_bot,
    sqlite_url,
    status_is,
)
from tests.bot.responders import EchoResponder, GatedResponder

pytestmark = pytest.mark.anyio


class FailingResponder:
    name = "failing"

    async def respond(self, ctx: BotContext) -> Outcome:
        raise RuntimeError("model unavailable")


async def test_a_responder_failure_apologises_and_hands_off(chatwoot: Chatwoot, tmp_path: Path) -> None:
    from bot import texts

    settings = bot_settings(chatwoot.sandbox, None, sqlite_url(tmp_path))
    async with running_bot(chatwoot, settings, responder=FailingResponder()) as app:
        customer = Customer(chatwoot)
        cid = await customer.start()
        await customer.say("Oi")
        await eventually(lambda: status_is(chatwoot, cid, "open"))
        await eventually(lambda: all_done(app))
        assert [r["content"] for r in await chatwoot.bot_replies(cid)] == [texts.APOLOGY]
        notes = await chatwoot.private_notes(cid)
        assert len(notes) == 1 and "model unavailable" in notes[0]["content"]


async def test_chatwoot_errors_are_retried_and_the_reply_still_goes_out_once(
    chatwoot: Chatwoot, tmp_path: Path
) -> None:
    settings = bot_settings(chatwoot.sandbox, None, sqlite_url(tmp_path))
    async with running_bot(chatwoot, settings, responder=EchoResponder()) as app:
        customer = Customer(chatwoot)
        cid = await customer.start()
        await chatwoot.control(
            "POST",
            "faults",
            json={
                "method": "POST",
                "path": f"/api/v1/accounts/1/conversations/{cid}/messages",
                "status": 500,
                "count": 2,
            },
        )
        await customer.say("Oi")
        await eventually(lambda: all_done(app))
        assert len(await chatwoot.bot_replies(cid)) == 1
        assert (await chatwoot.conversation(cid))["status"] == "pending"
        jobs = await app.state.store.count_jobs("done")
        assert jobs == 1


async def test_a_job_that_keeps_failing_ends_in_a_handoff_with_a_note(chatwoot: Chatwoot, tmp_path: Path) -> None:
    settings = bot_settings(chatwoot.sandbox, None, sqlite_url(tmp_path), max_attempts=3)
    async with running_bot(chatwoot, settings, responder=EchoResponder()) as app:
        customer = Customer(chatwoot)
        cid = await customer.start()
        await chatwoot.control(
            "POST",
            "faults",
            json={
                "method": "POST",
                "path": f"/api/v1/accounts/1/conversations/{cid}/messages",
                "status": 500,
                "count": 3,
            },
        )
        await customer.say("Oi")
        await eventually(lambda: all_done(app))
        assert await chatwoot.bot_replies(cid) == []
        assert (await chatwoot.conversation(cid))["status"] == "open"
        notes = await chatwoot.private_notes(cid)
        assert len(notes) == 1 and "não conseguiu responder" in notes[0]["content"]
        assert await app.state.store.count_jobs("failed") == 1


async def test_too_many_replies_in_a_minute_hand_off_once(chatwoot: Chatwoot, tmp_path: Path) -> None:
    settings = bot_settings(
        chatwoot.sandbox, None, sqlite_url(tmp_path), max_replies_per_minute=2, debounce_seconds=0.0
    )
    async with running_bot(chatwoot, settings, responder=EchoResponder()) as app:
        customer = Customer(chatwoot)
        cid = await customer.start()
        for count in (1, 2):
            await customer.say(f"mensagem {count}")
            await eventually(partial(_replies_are, chatwoot, cid, count))
        await customer.say("mensagem 3")
        await eventually(lambda: status_is(chatwoot, cid, "open"))
        await eventually(lambda: all_done(app))
        assert len(await chatwoot.bot_replies(cid)) == 2
        notes = await chatwoot.private_notes(cid)
        assert len(notes) == 1 and "Muitas mensagens" in notes[0]["content"]
        state = await app.state.store.get_state(cid)
        assert state is not None and state.limit_handoff_sent


async def _replies_are(chatwoot: Chatwoot, cid: int, count: int) -> bool:
    return len(await chatwoot.bot_replies(cid)) == count


async def test_the_bot_works_the_same_on_postgresql(chatwoot: Chatwoot, tmp_path: Path) -> None:
    async with pg_schema() as url:
        settings = bot_settings(chatwoot.sandbox, await chatwoot.bot_secret(), url)
        async with running_bot(chatwoot, settings, responder=EchoResponder(), store=PostgresStore(url)) as app:
            customer = Customer(chatwoot)
            cid = await customer.start()
            await customer.say("Oi pelo Postgres")
            replies = await eventually(lambda: chatwoot.bot_replies(cid))
            await eventually(lambda: all_done(app))
            assert [r["content"] for r in replies] == ["Você disse: Oi pelo Postgres"]
            assert await app.state.store.count_jobs("done") == 1


async def test_replaying_every_delivery_in_reverse_to_a_fresh_bot_adds_no_reply(
    chatwoot: Chatwoot, tmp_path: Path
) -> None:
    secret = await chatwoot.bot_secret()
    first = bot_settings(chatwoot.sandbox, secret, sqlite_url(tmp_path / "first"))
    pending, opened = Customer(chatwoot, name="Pendente"), Customer(chatwoot, name="Aberta")
    async with running_bot(chatwoot, first, responder=EchoResponder()) as app:
        pending_id, open_id = await pending.start(), await opened.start()
        await chatwoot.api("POST", f"conversations/{open_id}/toggle_status", json={"status": "open"})
        asked = await pending.say("Oi")
        ignored = await opened.say("Oi?")
        await eventually(lambda: chatwoot.bot_replies(pending_id))
        await eventually(lambda: chatwoot.delivered(open_id, ignored))
        await eventually(lambda: all_done(app))
    log = [d for d in await chatwoot.deliveries() if d["kind"] == "agent_bot"]
    assert any(d["message_id"] == asked for d in log)

    # A bot with an empty database (say, restored from an old backup) gets every delivery again, newest first.
    second = bot_settings(chatwoot.sandbox, secret, sqlite_url(tmp_path / "second"))
    async with running_bot(chatwoot, second, responder=EchoResponder()) as app:
        url = f"http://127.0.0.1:{second.port}/webhooks/chatwoot"
        for _ in range(2):
            for record in reversed(log):
                body = httpx2.Request("POST", url, json=record["payload"]).content
                ts = str(int(time.time()))
                headers = {
                    "content-type": "application/json",
                    "x-chatwoot-timestamp": ts,
                    "x-chatwoot-signature": sign(secret, ts, body),
                    "x-chatwoot-delivery": record["delivery_id"],
                }
                response = await chatwoot.http.post(url, content=body, headers=headers)
                assert response.status_code == 200
        await eventually(lambda: all_done(app))
        assert await app.state.store.count_jobs() == 1  # the one customer message in a pending conversation
    assert len(await chatwoot.bot_replies(pending_id)) == 1
    assert await chatwoot.bot_replies(open_id) == []


async def test_shutdown_lets_a_reply_in_progress_finish(chatwoot: Chatwoot, tmp_path: Path) -> None:
    responder = GatedResponder()
    settings = bot_settings(chatwoot.sandbox, None, sqlite_url(tmp_path))

    async def release_once_stopping(app: object) -> None:
        worker = app.state.worker  # type: ignore[attr-defined]
        while not worker.stopping:
            await anyio.sleep(0.01)
        responder.release.set()

    async with anyio.create_task_group() as tg, running_bot(chatwoot, settings, responder=responder) as app:
        customer = Customer(chatwoot)
        cid = await customer.start()
        await customer.say("Oi")
        with anyio.fail_after(10):
            await responder.called.wait()
        tg.start_soon(release_once_stopping, app)
    assert [r["content"] for r in await chatwoot.bot_replies(cid)] == ["Resposta que chegou tarde demais"]
    reopened = SQLiteStore(tmp_path / "bot.sqlite3")
    await reopened.start()
    try:
        assert (await reopened.count_jobs("done"), await reopened.count_jobs()) == (1, 1)
    finally:
        await reopened.close()


async def test_with_open_on_human_reply_off_the_bot_stays_silent_and_leaves_the_status_alone(
    chatwoot: Chatwoot, tmp_path: Path
) -> None:
    settings = bot_settings(chatwoot.sandbox, None, sqlite_url(tmp_path), open_on_human_reply=False)
    async with running_bot(chatwoot, settings, responder=EchoResponder()) as app:
        customer = Customer(chatwoot)
        cid = await customer.start()
        await customer.say("Oi")
        await eventually(lambda: chatwoot.bot_replies(cid))
        await eventually(lambda: all_done(app))
        await chatwoot.agent_says(cid, "Aqui é o Bruno, pode deixar comigo.")
        later = await customer.say("Obrigada!")
        await eventually(lambda: chatwoot.delivered(cid, later))
        await eventually(lambda: all_done(app))
        conversation = await chatwoot.conversation(cid)
        assert conversation["status"] == "pending"
        assert len(await chatwoot.bot_replies(cid)) == 1
        state = await app.state.store.get_state(cid)
        assert state is not None and state.human_active


async def test_the_bot_can_use_a_remote_mcp_server_over_http(chatwoot: Chatwoot, tmp_path: Path) -> None:
    sandbox = chatwoot.sandbox
    token = "mcp-test-token"
    mcp_settings = chatwoot_settings(sandbox, None).model_copy(update={"mcp_token": SecretStr(token)})
    mcp_port = free_port()
    mcp_app = http_app(build_server(mcp_settings, act_as_bot=True), mcp_settings)
    mcp_server = uvicorn.Server(
        uvicorn.Config(mcp_app, host="127.0.0.1", port=mcp_port, log_config=None, access_log=False, lifespan="on")
    )
    settings = bot_settings(
        sandbox, None, sqlite_url(tmp_path), mcp_url=f"http://127.0.0.1:{mcp_port}{MCP_PATH}", mcp_token=token
    )
    async with anyio.create_task_group() as tg:
        tg.start_soon(mcp_server.serve)
        with anyio.fail_after(10):
            while not mcp_server.started:
                await anyio.sleep(0.02)
        try:
            async with running_bot(chatwoot, settings, responder=EchoResponder()) as app:
                customer = Customer(chatwoot)
                cid = await customer.start()
                await customer.say("Oi pela rede")
                replies = await eventually(lambda: chatwoot.bot_replies(cid))
                await eventually(lambda: all_done(app))
        finally:
            mcp_server.should_exit = True
    assert [r["content"] for r in replies] == ["Você disse: Oi pela rede"]
    # The reply was written with the AgentBot's token, by the remote server.
    requests = await chatwoot.control("GET", "requests")
    path = f"/api/v1/accounts/{sandbox.account_id}/conversations/{cid}/messages"
    posts = [r for r in requests if r["method"] == "POST" and r["path"] == path]
    assert [r["token"] for r in posts] == ["bot"]


class CountingResponder(EchoResponder):
    """Echoes after a short think, recording how many answers were in progress at once, overall and per chat."""

    name = "counting"

    def __init__(self) -> None:
        self.active: dict[int, int] = {}
        self.max_total = 0
        self.max_per_conversation = 0

    async def respond(self, ctx: BotContext) -> Outcome:
        self.active[ctx.conversation_id] = self.active.get(ctx.conversation_id, 0) + 1
        self.max_total = max(self.max_total, sum(self.active.values()))
        self.max_per_conversation = max(self.max_per_conversation, self.active[ctx.conversation_id])
        try:
            await anyio.sleep(0.3)  # the model thinking
            return await super().respond(ctx)
        finally:
            self.active[ctx.conversation_id] -= 1


async def test_model_calls_run_in_parallel_up_to_their_own_bound_and_each_conversation_in_order(
    chatwoot: Chatwoot, tmp_path: Path
) -> None:
    responder = CountingResponder()
    # One work slot, two model slots: a batch gives its work slot back while the model thinks.
    settings = bot_settings(
        chatwoot.sandbox, None, sqlite_url(tmp_path), concurrency=1, model_concurrency=2, debounce_seconds=0.0
    )
    async with running_bot(chatwoot, settings, responder=responder) as app:
        customers = [Customer(chatwoot, name=f"Cliente {i}") for i in range(4)]
        ids = [await customer.start() for customer in customers]
        for customer in customers:
            await customer.say("primeira")
        for customer in customers:
            await customer.say("segunda")
        await eventually(lambda: jobs_done(app, 8), timeout=20)
        for cid in ids:
            replies = [r["content"] for r in await chatwoot.bot_replies(cid)]
            assert replies[-1] == "Você disse: segunda"
            assert len(replies) in (1, 2)  # the second message may join the first answer
    assert responder.max_total == 2
    assert responder.max_per_conversation == 1
