"""One reply per customer message, in order, over HTTP against the sandbox: messages arriving while a batch is
read or answered, posts that time out and land late, conversations Chatwoot no longer has."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import anyio
import pytest

from bot.brain.base import BotContext, Outcome
from tests.bot.harness import Chatwoot, Customer, bot_settings, eventually, running_bot
from tests.bot.responders import EchoResponder

pytestmark = pytest.mark.anyio

CONVERSATION = r"/api/v1/accounts/\d+/conversations/{cid}"


class ThinkingEcho(EchoResponder):
    """Echoes the newest customer words after a random think, counting its calls."""

    name = "thinking-echo"

    def __init__(self, think: tuple[float, float] = (0.0, 0.0)) -> None:
        self.think = think
        self.calls = 0

    async def respond(self, ctx: BotContext) -> Outcome:
        self.calls += 1
        await anyio.sleep(random.uniform(*self.think))
        return await super().respond(ctx)


async def no_pending(app: Any) -> bool:
    return await app.state.store.count_jobs("pending") == 0


async def check_one_reply_per_message(chatwoot: Chatwoot, cid: int) -> list[dict[str, Any]]:
    """Each reply covers the customer messages after the previous reply's up to the id in its key, and echoes
    exactly that newest one (what its responder saw); every customer message is covered once, in order."""
    messages = (await chatwoot.conversation(cid))["messages"]
    said = {m["id"]: m["content"] for m in messages if m["message_type"] == "incoming"}
    replies = [m for m in messages if m["message_type"] == "outgoing" and not m["private"]]
    covers = [int(r["source_id"].removeprefix("bot:")) for r in replies]
    assert covers == sorted(set(covers)), f"a message answered twice or out of order: {covers}"
    assert covers and covers[-1] == max(said), f"the last customer message is unanswered: {covers} {sorted(said)}"
    for reply, covered in zip(replies, covers, strict=True):
        assert reply["content"] == f"Você disse: {said[covered]}"
    # Replies come after the messages they cover.
    for reply, covered in zip(replies, covers, strict=True):
        assert reply["id"] > covered
    return replies


async def test_a_message_arriving_while_the_batch_is_read_is_covered_by_its_reply_not_answered_again(
    chatwoot: Chatwoot, tmp_path: Path
) -> None:
    responder = ThinkingEcho()
    settings = bot_settings(chatwoot.sandbox, None, f"sqlite:///{tmp_path}/bot.sqlite3", debounce_seconds=0.1)
    async with running_bot(chatwoot, settings, responder=responder) as app:
        customer = Customer(chatwoot)
        cid = await customer.start()
        # The batch's read of the conversation is slow: the second message lands in Chatwoot meanwhile.
        await chatwoot.control(
            "POST", "faults", json={"method": "GET", "path": CONVERSATION.format(cid=cid), "delay": 1.0}
        )
        await customer.say("primeira")

        async def reading() -> bool:
            requests = await chatwoot.control("GET", "requests")
            return any(r["method"] == "GET" and r["path"].endswith(f"/conversations/{cid}") for r in requests)

        await eventually(reading)
        second = await customer.say("segunda")
        await eventually(lambda: chatwoot.delivered(cid, second))
        await eventually(lambda: no_pending(app))
        assert await app.state.store.count_jobs("done") == 2
    replies = await check_one_reply_per_message(chatwoot, cid)
    assert [(r["content"], r["source_id"]) for r in replies] == [("Você disse: segunda", f"bot:{second}")]
    assert responder.calls == 1


async def say_around_the_debounce(customer: Customer, words: list[str], rng: random.Random) -> None:
    await customer.start()
    for index, word in enumerate(words):
        if index:
            await anyio.sleep(rng.uniform(1.40, 1.65))  # around the default 1.5 s debounce
        await customer.say(word)


@pytest.mark.parametrize("trial", range(2))
async def test_many_customers_writing_around_the_debounce_get_one_reply_per_message(
    chatwoot: Chatwoot, tmp_path: Path, trial: int
) -> None:
    rng = random.Random(trial)
    responder = ThinkingEcho(think=(0.0, 0.4))
    settings = bot_settings(chatwoot.sandbox, None, f"sqlite:///{tmp_path}/bot.sqlite3", debounce_seconds=1.5)
    customers = [Customer(chatwoot, name=f"Cliente {i}") for i in range(20)]
    async with running_bot(chatwoot, settings, responder=responder) as app:
        async with anyio.create_task_group() as tg:
            for i, customer in enumerate(customers):
                tg.start_soon(say_around_the_debounce, customer, [f"c{i} m{n}" for n in range(3)], rng)
        await eventually(chatwoot.deliveries_settled, timeout=20)
        await eventually(lambda: no_pending(app), timeout=30)
    for customer in customers:
        assert customer.conversation_id is not None
        await check_one_reply_per_message(chatwoot, customer.conversation_id)
