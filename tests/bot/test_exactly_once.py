"""A retry after a failure part-way through posting finishes the first answer; the responder is asked once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.brain.base import BotContext, Outcome
from tests.bot.harness import Chatwoot, Customer, bot_settings, eventually, running_bot

pytestmark = pytest.mark.anyio

MESSAGES = r"/api/v1/accounts/\d+/conversations/\d+/messages"
TOGGLE_STATUS = r"/api/v1/accounts/\d+/conversations/\d+/toggle_status"


class ChangeableResponder:
    """Hands off the first time, then changes its mind: what a model asked twice may well do."""

    name = "changeable"

    def __init__(self) -> None:
        self.calls = 0

    async def respond(self, ctx: BotContext) -> Outcome:
        self.calls += 1
        if self.calls == 1:
            return Outcome(reply="Vou te transferir para um atendente.", handoff_reason="pediu humano", summary="quer")
        return Outcome(reply="Posso ajudar em algo mais?")


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param({"method": "POST", "path": TOGGLE_STATUS, "status": 500}, id="handoff-fails"),
        pytest.param({"method": "POST", "path": MESSAGES, "status": 500}, id="first-post-fails"),
    ],
)
async def test_a_retry_after_a_failed_post_reuses_the_stored_answer_and_still_hands_off(
    chatwoot: Chatwoot, tmp_path: Path, fault: dict[str, object]
) -> None:
    responder = ChangeableResponder()
    settings = bot_settings(chatwoot.sandbox, await chatwoot.bot_secret(), f"sqlite:///{tmp_path}/bot.sqlite3")
    async with running_bot(chatwoot, settings, responder=responder) as app:
        customer = Customer(chatwoot)
        cid = await customer.start()
        await chatwoot.control("POST", "faults", json=fault | {"count": 1})
        asked = await customer.say("Quero falar com uma pessoa")

        await eventually(lambda: chatwoot.delivered(cid, asked))
        store = app.state.store
        await eventually(lambda: _no_pending(store))
        assert (await chatwoot.conversation(cid))["status"] == "open"
        # The fault was hit: the batch failed once before it went through.
        assert (await chatwoot.control("GET", "faults"))["faults"] == []
        assert await store.count_jobs("done") == 1
        # Stored under the batch's oldest job (the first job of a new database), covering the message asked.
        stored = await store.get_outcome("batch:1")
        assert stored is not None and stored["covers"] == asked
        assert {k: stored[k] for k in ("reply", "handoff_reason", "summary", "notes")} == {
            "reply": "Vou te transferir para um atendente.",
            "handoff_reason": "pediu humano",
            "summary": "quer",
            "notes": [],
        }
    assert responder.calls == 1
    replies = await chatwoot.bot_replies(cid)
    assert [(r["content"], r["source_id"]) for r in replies] == [
        ("Vou te transferir para um atendente.", f"bot:{asked}")
    ]
    notes = await chatwoot.private_notes(cid)
    assert [n["source_id"] for n in notes] == [f"bot:{asked}:handoff"]


async def _no_pending(store: object) -> bool:
    return await store.count_jobs("pending") == 0  # type: ignore[attr-defined]


async def test_a_handoff_decided_before_a_failure_stands_when_a_new_message_joins_the_retry(
    chatwoot: Chatwoot, tmp_path: Path
) -> None:
    responder = ChangeableResponder()
    # A long backoff lets the customer's next message arrive before the retry, so both are in one batch.
    settings = bot_settings(
        chatwoot.sandbox, await chatwoot.bot_secret(), f"sqlite:///{tmp_path}/bot.sqlite3", retry_base_seconds=2.0
    )
    async with running_bot(chatwoot, settings, responder=responder) as app:
        store = app.state.store
        customer = Customer(chatwoot)
        cid = await customer.start()
        await chatwoot.control("POST", "faults", json={"method": "POST", "path": TOGGLE_STATUS, "status": 500})
        asked = await customer.say("Quero falar com uma pessoa")

        async def failed_once() -> bool:
            return [job.attempts for job in await store.pending_jobs(cid)] == [1]

        await eventually(failed_once)
        later = await customer.say("Ainda estou aqui?")
        await eventually(lambda: chatwoot.delivered(cid, later))
        await eventually(lambda: _no_pending(store))
        # The first answer covers only what its responder saw; the later message found the conversation handed
        # off, and nobody asked the responder about it.
        assert await store.count_jobs("done") == 1
        assert await store.count_jobs("dropped") == 1
        assert await store.get_outcome("batch:2") is None
    assert responder.calls == 1
    assert (await chatwoot.conversation(cid))["status"] == "open"
    replies = await chatwoot.bot_replies(cid)
    assert [(r["content"], r["source_id"]) for r in replies] == [
        ("Vou te transferir para um atendente.", f"bot:{asked}")
    ]
    assert [n["source_id"] for n in await chatwoot.private_notes(cid)] == [f"bot:{asked}:handoff"]
