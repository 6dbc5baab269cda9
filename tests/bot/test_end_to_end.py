"""The sandbox delivering real webhooks to the bot on a real port; replies counted in the sandbox."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable
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
from chatwoot_mcp.server.session import open_tool_session
from chatwoot_mcp.signature import sign
from tests.bot.conftest import pg_schema
from tests.bot.harness import (
    Chatwoot,
    Customer,
    bot_settings,
    chatwoot_settings,
    eventually,
    free_port,
    running_bot,
)
from tests.bot.responders import EchoResponder
from tests.conftest import Sandbox

pytestmark = pytest.mark.anyio


@pytest.fixture
async def chatwoot(sandbox: Sandbox) -> AsyncIterator[Chatwoot]:
    async with httpx2.AsyncClient(timeout=10) as http:
        yield Chatwoot(sandbox, http)


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/bot.sqlite3"


async def test_a_customer_message_in_a_pending_conversation_gets_exactly_one_reply(
    chatwoot: Chatwoot, tmp_path: Path
) -> None:
    secret = await chatwoot.bot_secret()
    settings = bot_settings(chatwoot.sandbox, secret, sqlite_url(tmp_path))
    async with running_bot(chatwoot, settings, responder=EchoResponder()) as app:
        customer = Customer(chatwoot)
        cid = await customer.start()
        assert (await chatwoot.conversation(cid))["status"] == "pending"
        message_id = await customer.say("Qual o horário de funcionamento?")
        replies = await eventually(lambda: chatwoot.bot_replies(cid))
        assert [r["content"] for r in replies] == ["Você disse: Qual o horário de funcionamento?"]
        assert replies[0]["source_id"] == f"bot:{message_id}"
        delivery = next(d for d in await chatwoot.deliveries(cid, "message_created") if d["message_id"] == message_id)
        assert delivery["signed"] and delivery["status"] == 200
        await eventually(lambda: app.state.store.count_jobs("done"))
        assert await app.state.store.count_jobs("pending") == 0
        conversation = await chatwoot.conversation(cid)
        assert conversation["status"] == "pending"  # still the bot's
        assert len(await chatwoot.bot_replies(cid)) == 1


async def test_without_a_bot_token_the_bot_keeps_answering_and_never_mistakes_its_replies_for_a_human(
    chatwoot: Chatwoot, tmp_path: Path
) -> None:
    secret = await chatwoot.bot_secret()
    settings = bot_settings(chatwoot.sandbox, secret, sqlite_url(tmp_path))
    user_only = settings.chatwoot.model_copy(update={"bot_token": None})
    settings = settings.model_copy(update={"chatwoot": user_only})

    async def replies(cid: int) -> list[dict[str, object]]:
        messages = (await chatwoot.conversation(cid))["messages"]
        return [m for m in messages if m["message_type"] == "outgoing" and not m["private"]]

    async with running_bot(chatwoot, settings, responder=EchoResponder()):
        customer = Customer(chatwoot)
        cid = await customer.start()
        await customer.say("Primeira pergunta")
        await eventually(lambda: replies(cid))
        await customer.say("Segunda pergunta")
        await eventually(lambda: _at_least(replies(cid), 2))
        conversation = await chatwoot.conversation(cid)
    assert conversation["status"] == "pending"  # still the bot's: its own replies were not a takeover
    sent = await replies(cid)
    assert [r["content"] for r in sent] == ["Você disse: Primeira pergunta", "Você disse: Segunda pergunta"]
    assert all(r["sender_type"] == "User" for r in sent)  # posted with the admin's token, not as the AgentBot


async def _at_least(pending: Awaitable[list[dict[str, object]]], count: int) -> bool:
    return len(await pending) >= count


async def test_messages_in_open_or_assigned_conversations_get_no_reply(chatwoot: Chatwoot, tmp_path: Path) -> None:
    settings = bot_settings(chatwoot.sandbox, await chatwoot.bot_secret(), sqlite_url(tmp_path))
    async with running_bot(chatwoot, settings, responder=EchoResponder()) as app:
        opened, assigned = Customer(chatwoot, name="Aberta"), Customer(chatwoot, name="Atribuída")
        open_id, assigned_id = await opened.start(), await assigned.start()
        response = await chatwoot.api("POST", f"conversations/{open_id}/toggle_status", json={"status": "open"})
        assert response.status_code == 200
        agent = chatwoot.sandbox.agent("agent")
        response = await chatwoot.api(
            "POST", f"conversations/{assigned_id}/assignments", json={"assignee_id": agent["id"]}
        )
        assert response.status_code == 200
        assert (await chatwoot.conversation(assigned_id))["status"] == "pending"
        first = await opened.say("Olá?")
        second = await assigned.say("Alguém aí?")
        await eventually(lambda: chatwoot.delivered(open_id, first))
        await eventually(lambda: chatwoot.delivered(assigned_id, second))
        assert await chatwoot.bot_replies(open_id) == []
        assert await chatwoot.bot_replies(assigned_id) == []
        assert await app.state.store.count_jobs() == 0


async def test_concurrent_redeliveries_still_give_one_reply(chatwoot: Chatwoot, tmp_path: Path) -> None:
    secret = await chatwoot.bot_secret()
    settings = bot_settings(chatwoot.sandbox, secret, sqlite_url(tmp_path), debounce_seconds=0.5)
    async with running_bot(chatwoot, settings, responder=EchoResponder()) as app:
        customer = Customer(chatwoot)
        cid = await customer.start()
        message_id = await customer.say("Oi")
        await eventually(lambda: chatwoot.delivered(cid, message_id))
        delivery = next(d for d in await chatwoot.deliveries(cid, "message_created") if d["message_id"] == message_id)
        body = httpx2.Request("POST", "http://x", json=delivery["payload"]).content
        url = f"http://127.0.0.1:{settings.port}/webhooks/chatwoot"

        async def redeliver(delivery_id: str) -> int:
            ts = str(int(time.time()))
            headers = {
                "content-type": "application/json",
                "x-chatwoot-timestamp": ts,
                "x-chatwoot-signature": sign(secret, ts, body),
                "x-chatwoot-delivery": delivery_id,
            }
            return (await chatwoot.http.post(url, content=body, headers=headers)).status_code

        async with anyio.create_task_group() as tg:
            for delivery_id in [delivery["delivery_id"]] * 3 + ["another-1", "another-2"]:
                tg.start_soon(redeliver, delivery_id)
        replies = await eventually(lambda: chatwoot.bot_replies(cid))
        await eventually(lambda: app.state.store.count_jobs("done"))
        assert len(replies) == 1
        assert await app.state.store.count_jobs() == 1
        # Redelivered after the reply went out: still nothing new.
        assert await redeliver("another-3") == 200
        assert await app.state.store.count_jobs() == 1  # deduplicated on the message id: no new work
        assert len(await chatwoot.bot_replies(cid)) == 1


async def test_a_burst_of_messages_gets_one_answer(chatwoot: Chatwoot, tmp_path: Path) -> None:
    settings = bot_settings(chatwoot.sandbox, None, sqlite_url(tmp_path), debounce_seconds=0.8)
    async with running_bot(chatwoot, settings, responder=EchoResponder()) as app:
        customer = Customer(chatwoot)
        cid = await customer.start()
        ids = [await customer.say(text) for text in ("Oi", "tudo bem?", "preciso de ajuda")]
        replies = await eventually(lambda: chatwoot.bot_replies(cid))
        await eventually(lambda: _all_done(app))
        assert [r["content"] for r in replies] == ["Você disse: preciso de ajuda"]
        assert replies[0]["source_id"] == f"bot:{max(ids)}"
        assert await app.state.store.count_jobs("done") == 3


async def _jobs_done(app: object, count: int) -> bool:
    """All `count` jobs were stored (every webhook arrived) and none is pending."""
    store = app.state.store  # type: ignore[attr-defined]
    return await store.count_jobs() == count and await store.count_jobs("pending") == 0


async def _all_done(app: object) -> bool:
    store = app.state.store  # type: ignore[attr-defined]
    return await store.count_jobs("pending") == 0 and await store.count_jobs() > 0


class GatedResponder:
    """A slow responder: it answers only when the test lets it, so a human can step in meanwhile."""

    name = "gated"

    def __init__(self) -> None:
        self.called = anyio.Event()
        self.release = anyio.Event()

    async def respond(self, ctx: BotContext) -> Outcome:
        self.called.set()
        await self.release.wait()
        return Outcome(reply="Resposta que chegou tarde demais")


async def test_a_human_taking_over_while_the_reply_is_prepared_gets_no_bot_reply(
    chatwoot: Chatwoot, tmp_path: Path
) -> None:
    responder = GatedResponder()
    settings = bot_settings(chatwoot.sandbox, await chatwoot.bot_secret(), sqlite_url(tmp_path))
    async with running_bot(chatwoot, settings, responder=responder) as app:
        customer = Customer(chatwoot)
        cid = await customer.start()
        await customer.say("Quero cancelar meu pedido")
        with anyio.fail_after(10):
            await responder.called.wait()
        await chatwoot.take_over(cid)
        responder.release.set()
        await eventually(lambda: _all_done(app))
        conversation = await chatwoot.conversation(cid)
        assert conversation["status"] == "open"
        assert conversation["assignee_id"] == chatwoot.sandbox.agent("agent")["id"]
        assert await chatwoot.bot_replies(cid) == []
        assert await app.state.store.count_jobs("dropped") == 1


async def test_a_human_reply_in_a_pending_conversation_silences_the_bot_and_opens_it(
    chatwoot: Chatwoot, tmp_path: Path
) -> None:
    settings = bot_settings(chatwoot.sandbox, await chatwoot.bot_secret(), sqlite_url(tmp_path))
    async with running_bot(chatwoot, settings, responder=EchoResponder()) as app:
        customer = Customer(chatwoot)
        cid = await customer.start()
        await customer.say("Oi")
        await eventually(lambda: chatwoot.bot_replies(cid))
        await chatwoot.agent_says(cid, "Oi, aqui é o Bruno, eu assumo daqui.")
        await eventually(lambda: _status_is(chatwoot, cid, "open"))
        later = await customer.say("Obrigada, Bruno")
        await eventually(lambda: chatwoot.delivered(cid, later))
        await eventually(lambda: _all_done(app))
        assert len(await chatwoot.bot_replies(cid)) == 1
        state = await app.state.store.get_state(cid)
        assert state is not None and state.status == "open"


async def _status_is(chatwoot: Chatwoot, cid: int, status: str) -> bool:
    return (await chatwoot.conversation(cid))["status"] == status


async def test_the_bot_answers_again_when_the_conversation_is_handed_back(chatwoot: Chatwoot, tmp_path: Path) -> None:
    seen: list[BotContext] = []

    class Recording(EchoResponder):
        async def respond(self, ctx: BotContext) -> Outcome:
            seen.append(ctx)
            return await super().respond(ctx)

    settings = bot_settings(chatwoot.sandbox, await chatwoot.bot_secret(), sqlite_url(tmp_path))
    async with running_bot(chatwoot, settings, responder=Recording()) as app:
        customer = Customer(chatwoot)
        cid = await customer.start()
        await chatwoot.take_over(cid)
        await chatwoot.agent_says(cid, "Resolvido, vou devolver ao assistente.")
        response = await chatwoot.api("POST", f"conversations/{cid}/assignments", json={"assignee_id": None})
        assert response.status_code == 200
        response = await chatwoot.api("POST", f"conversations/{cid}/toggle_status", json={"status": "pending"})
        assert response.status_code == 200
        await customer.say("Mais uma dúvida")
        await eventually(lambda: chatwoot.bot_replies(cid))
        await eventually(lambda: _all_done(app))
        roles = [turn.role for turn in seen[-1].history]
        assert roles == ["agent", "event", "customer"]


async def test_returning_a_pending_conversation_a_person_held_brings_the_bot_back(
    chatwoot: Chatwoot, tmp_path: Path
) -> None:
    settings = bot_settings(chatwoot.sandbox, await chatwoot.bot_secret(), sqlite_url(tmp_path))
    async with running_bot(chatwoot, settings, responder=EchoResponder()) as app:
        customer = Customer(chatwoot)
        cid = await customer.start()
        # A person assigned to a conversation that stays pending: the bot is silent (a human assignee).
        admin_id = chatwoot.sandbox.agent("administrator")["id"]
        response = await chatwoot.api("POST", f"conversations/{cid}/assignments", json={"assignee_id": admin_id})
        assert response.status_code == 200
        async with open_tool_session(settings.chatwoot) as tools:
            returned = await tools.call("chatwoot_return_to_bot", conversation_id=cid)
        assert returned["changed"] and returned["notified"]
        # The notice was posted by a user in a pending conversation, yet it is not read as a takeover.
        await customer.say("Voltei, pode me ajudar?")
        replies = await eventually(lambda: chatwoot.bot_replies(cid))
        assert [r["content"] for r in replies] == ["Você disse: Voltei, pode me ajudar?"]
        await eventually(lambda: _all_done(app))
        assert (await chatwoot.conversation(cid))["status"] == "pending"


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
        await eventually(lambda: _status_is(chatwoot, cid, "open"))
        await eventually(lambda: _all_done(app))
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
        await eventually(lambda: _all_done(app))
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
        await eventually(lambda: _all_done(app))
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
        await eventually(lambda: _status_is(chatwoot, cid, "open"))
        await eventually(lambda: _all_done(app))
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
            await eventually(lambda: _all_done(app))
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
        await eventually(lambda: _all_done(app))
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
        await eventually(lambda: _all_done(app))
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
        await eventually(lambda: _all_done(app))
        await chatwoot.agent_says(cid, "Aqui é o Bruno, pode deixar comigo.")
        later = await customer.say("Obrigada!")
        await eventually(lambda: chatwoot.delivered(cid, later))
        await eventually(lambda: _all_done(app))
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
                await eventually(lambda: _all_done(app))
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
        await eventually(lambda: _jobs_done(app, 8), timeout=20)
        for cid in ids:
            replies = [r["content"] for r in await chatwoot.bot_replies(cid)]
            assert replies[-1] == "Você disse: segunda"
            assert len(replies) in (1, 2)  # the second message may join the first answer
    assert responder.max_total == 2
    assert responder.max_per_conversation == 1
