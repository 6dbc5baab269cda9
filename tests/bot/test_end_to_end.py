"""The sandbox delivering real webhooks to the bot on a real port; replies counted in the sandbox."""

from __future__ import annotations

import time
from collections.abc import Awaitable
from pathlib import Path

import anyio
import httpx2
import pytest

from bot.brain.base import BotContext, Outcome
from chatwoot_mcp.server.session import open_tool_session
from chatwoot_mcp.signature import sign
from tests.bot.harness import (
    Chatwoot,
    Customer,
    all_done,
    bot_settings,
    eventually,
    running_bot,
    sqlite_url,
    status_is,
)
from tests.bot.responders import EchoResponder, GatedResponder

pytestmark = pytest.mark.anyio


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
        await eventually(lambda: all_done(app))
        assert [r["content"] for r in replies] == ["Você disse: preciso de ajuda"]
        assert replies[0]["source_id"] == f"bot:{max(ids)}"
        assert await app.state.store.count_jobs("done") == 3


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
        await eventually(lambda: all_done(app))
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
        await eventually(lambda: status_is(chatwoot, cid, "open"))
        later = await customer.say("Obrigada, Bruno")
        await eventually(lambda: chatwoot.delivered(cid, later))
        await eventually(lambda: all_done(app))
        assert len(await chatwoot.bot_replies(cid)) == 1
        state = await app.state.store.get_state(cid)
        assert state is not None and state.status == "open"


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
        await eventually(lambda: all_done(app))
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
        await eventually(lambda: all_done(app))
        assert (await chatwoot.conversation(cid))["status"] == "pending"
