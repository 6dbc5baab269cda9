"""Each source of a change of hands gives exactly one record, whichever reports first; an older delivery changes
nothing. Run on the SQLite and the PostgreSQL mirror, fed the way the bot feeds them (webhook bodies as
delivered, the bot's own reports)."""

from __future__ import annotations

import pytest

from chatwoot_mcp.records.mirror import Mirror
from chatwoot_mcp.records.model import Observation
from tests.records.conftest import (
    Clock,
    body,
    conversation,
    drain,
    message,
    recorder_for,
)

pytestmark = pytest.mark.anyio

T0 = 1_780_000_000.0
CID = 7


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _seed_bot_conversation(rec, t: float = T0) -> None:  # type: ignore[no-untyped-def]
    rec.delivered(body(conversation(CID, "pending", updated_at=t, event="conversation_created")), 200, 0.001)


@pytest.mark.parametrize("reason,trigger", [
    ("Cliente quer a segunda via do boleto", "handoff_tool"),
    ("A assistente pediu um atendente humano.", "marker"),
    ("O cliente pediu para falar com uma pessoa.", "customer_asked"),
])  # fmt: skip
@pytest.mark.parametrize("bot_first", [True, False])
async def test_a_responder_handoff_is_one_record_with_its_trigger_whichever_source_reports_first(
    mirror: Mirror, reason: str, trigger: str, bot_first: bool
) -> None:
    clock = Clock(T0 + 5)
    rec = recorder_for(mirror, clock)
    await _seed_bot_conversation(rec)
    await drain(rec)
    status = body(conversation(CID, "open", updated_at=T0 + 5.2, event="conversation_status_changed"))
    updated = body(conversation(CID, "open", updated_at=T0 + 5.2, event="conversation_updated",
                                changed=[{"status": {"previous_value": "pending", "current_value": "open"}}]))  # fmt: skip
    if bot_first:
        rec.handed_off(CID, reason, responder=True)
    rec.delivered(status, 200, 0.001)
    rec.delivered(updated, 200, 0.001)
    if not bot_first:
        await drain(rec)
        rec.handed_off(CID, reason, responder=True)
    await drain(rec)
    records = await mirror.records(CID)
    assert [(r.from_hands, r.to_hands, r.trigger, r.reason, r.who_type) for r in records] == [
        ("ai", "pending", trigger, reason, "bot")
    ]
    state = await mirror.state(CID)
    assert state is not None and state.hands == "pending" and state.status == "open"


@pytest.mark.parametrize("why,trigger", [("failsafe", "failsafe"), ("responder failed", "failsafe"),
                                         ("reply rate limit", "loop_guard")])  # fmt: skip
async def test_the_bots_own_rules_give_one_record_each(mirror: Mirror, why: str, trigger: str) -> None:
    rec = recorder_for(mirror, Clock(T0 + 3))
    await _seed_bot_conversation(rec)
    rec.handed_off(CID, why)
    rec.delivered(body(conversation(CID, "open", updated_at=T0 + 3.1, event="conversation_status_changed")), 200, 0.001)
    rec.delivered(body(conversation(CID, "open", updated_at=T0 + 3.15, event="conversation_updated")), 200, 0.001)
    # Auto-assignment then gives it to a person at once: who picked it up, and after how long, is a record of its own.
    rec.delivered(
        body(conversation(CID, "open", updated_at=T0 + 3.2, assignee=5, event="conversation_updated")), 200, 0.001
    )
    await drain(rec)
    records = await mirror.records(CID)
    assert [(r.from_hands, r.to_hands, r.trigger) for r in records] == [
        ("ai", "pending", trigger),
        ("pending", "human", "chatwoot_assigned"),
    ]


async def test_a_person_replying_in_the_bots_conversation_is_one_record_and_keeps_it(mirror: Mirror) -> None:
    rec = recorder_for(mirror, Clock(T0 + 10))
    await _seed_bot_conversation(rec)
    reply = message(CID, 501, status="pending", updated_at=T0 + 9, kind="outgoing",
                    sender={"id": 3, "name": "Ana", "type": "user"}, content="Oi, aqui é a Ana")  # fmt: skip
    rec.delivered(body(reply), 200, 0.001)
    # The bot then opens it (BOT_OPEN_ON_HUMAN_REPLY): open and unassigned, but Ana has it.
    rec.delivered(body(conversation(CID, "open", updated_at=T0 + 11, event="conversation_status_changed")), 200, 0.001)
    await drain(rec)
    records = await mirror.records(CID)
    assert [(r.from_hands, r.to_hands, r.trigger, r.who_type, r.who_id) for r in records] == [
        ("ai", "human", "person_replied", "agent", 3)
    ]
    assert (await mirror.message_counts(0, 2**40)) == {"human": 1}


@pytest.mark.parametrize("tool_first", [True, False])
async def test_a_take_over_made_in_two_saves_is_one_record_with_the_tools_reason(
    mirror: Mirror, tool_first: bool
) -> None:
    rec = recorder_for(mirror, Clock(T0 + 20))
    await _seed_bot_conversation(rec)
    await drain(rec)
    take = Observation(CID, "human", T0 + 20.3, "tool", trigger="take_over", reason="cliente VIP", who_type="agent",
                       who_id=2, status="open", assigned_to=2)  # fmt: skip
    if tool_first:
        rec.report(take)
    rec.delivered(
        body(conversation(CID, "open", updated_at=T0 + 20.1, event="conversation_status_changed")), 200, 0.001
    )
    rec.delivered(
        body(conversation(CID, "open", updated_at=T0 + 20.2, assignee=2, event="conversation_updated")), 200, 0.001
    )
    if not tool_first:
        rec.report(take)
    await drain(rec)
    records = await mirror.records(CID)
    assert [(r.from_hands, r.to_hands, r.trigger, r.reason, r.who_id) for r in records] == [
        ("ai", "human", "take_over", "cliente VIP", 2)
    ]


async def test_a_return_to_the_bot_is_one_record(mirror: Mirror) -> None:
    rec = recorder_for(mirror, Clock(T0 + 30))
    rec.delivered(body(conversation(CID, "open", updated_at=T0, assignee=2, event="conversation_created")), 200, 0.001)
    await drain(rec)
    unassigned = [{"assignee_id": {"previous_value": 2, "current_value": None}}]
    rec.delivered(
        body(conversation(CID, "open", updated_at=T0 + 30.1, event="conversation_updated", changed=unassigned)),
        200,
        0.001,
    )
    rec.delivered(
        body(conversation(CID, "pending", updated_at=T0 + 30.2, event="conversation_status_changed")), 200, 0.001
    )
    await drain(rec)
    rec.report(Observation(CID, "ai", T0 + 30.3, "tool", trigger="return_to_bot", who_type="agent", who_id=2))
    await drain(rec)
    records = await mirror.records(CID)
    # Chatwoot saw two saves (unassigned, then pending): one change, from the person to the bot.
    assert [(r.from_hands, r.to_hands, r.trigger, r.who_id) for r in records] == [("human", "ai", "return_to_bot", 2)]
    assert records[0].held_seconds == pytest.approx(30.2)


async def test_chatwoot_opening_after_a_failed_delivery_is_one_record_named_so(mirror: Mirror) -> None:
    rec = recorder_for(mirror, Clock(T0 + 40))
    await _seed_bot_conversation(rec)
    incoming = body(message(CID, 601, status="pending", updated_at=T0 + 40))
    for _ in range(3):  # Chatwoot's attempts, each answered 500 (the bot's store was down)
        rec.delivered(incoming, 500, 2.0)
    rec.delivered(body(conversation(CID, "open", updated_at=T0 + 49, event="conversation_status_changed")), 200, 0.001)
    await drain(rec)
    records = await mirror.records(CID)
    assert [(r.from_hands, r.to_hands, r.trigger, r.who_type) for r in records] == [
        ("ai", "pending", "webhook_failed", "chatwoot")
    ]


async def test_resolved_reopened_and_assigned_in_chatwoots_screen_are_one_record_each(mirror: Mirror) -> None:
    rec = recorder_for(mirror, Clock(T0 + 50))
    rec.delivered(body(conversation(CID, "open", updated_at=T0, event="conversation_created")), 200, 0.001)
    events = [
        conversation(CID, "open", updated_at=T0 + 60, assignee=3, event="conversation_updated"),  # assigned
        conversation(CID, "resolved", updated_at=T0 + 120, assignee=3, event="conversation_status_changed"),
        conversation(CID, "resolved", updated_at=T0 + 120, assignee=3, event="conversation_updated"),  # same save
        conversation(CID, "pending", updated_at=T0 + 400, event="conversation_status_changed"),  # customer wrote
    ]
    for payload in events:
        rec.delivered(body(payload), 200, 0.001)
        rec.delivered(body(payload), 200, 0.001)  # each delivered twice
    await drain(rec)
    records = await mirror.records(CID)
    assert [(r.from_hands, r.to_hands, r.trigger) for r in records] == [
        ("pending", "human", "chatwoot_assigned"),
        ("human", "closed", "resolved"),
        ("closed", "ai", "reopened"),
    ]


async def test_a_late_older_delivery_changes_nothing(mirror: Mirror) -> None:
    rec = recorder_for(mirror, Clock(T0 + 70))
    await _seed_bot_conversation(rec)
    rec.delivered(
        body(conversation(CID, "open", updated_at=T0 + 70.5, assignee=2, event="conversation_updated")), 200, 0.001
    )
    await drain(rec)
    before = (await mirror.state(CID), await mirror.records(CID))
    # Chatwoot's jobs run concurrently: the delivery of the earlier save (still pending) arrives last.
    rec.delivered(body(conversation(CID, "pending", updated_at=T0 + 70.2, event="conversation_updated")), 200, 0.001)
    rec.delivered(body(message(CID, 700, status="pending", updated_at=T0 + 70.1)), 200, 0.001)
    await drain(rec)
    assert (await mirror.state(CID), await mirror.records(CID)) == before
    assert before[0] is not None and before[0].hands == "human"
    assert len(before[1]) == 1


async def test_a_return_reported_before_its_webhooks_is_still_one_record(mirror: Mirror) -> None:
    rec = recorder_for(mirror, Clock(T0 + 80))
    rec.delivered(body(conversation(CID, "open", updated_at=T0, assignee=2, event="conversation_created")), 200, 0.001)
    await drain(rec)
    rec.report(Observation(CID, "ai", T0 + 80.5, "tool", trigger="return_to_bot", who_type="agent", who_id=2))
    await drain(rec)
    unassigned = [{"assignee_id": {"previous_value": 2, "current_value": None}}]
    rec.delivered(
        body(conversation(CID, "open", updated_at=T0 + 80.1, event="conversation_updated", changed=unassigned)),
        200,
        0.001,
    )
    rec.delivered(
        body(conversation(CID, "pending", updated_at=T0 + 80.2, event="conversation_status_changed")), 200, 0.001
    )
    await drain(rec)
    assert [(r.from_hands, r.to_hands, r.trigger) for r in await mirror.records(CID)] == [
        ("human", "ai", "return_to_bot")
    ]


async def test_an_auto_assignment_made_with_the_bots_handoff_is_recorded_though_its_webhook_is_older(
    mirror: Mirror,
) -> None:
    rec = recorder_for(mirror, Clock(T0 + 90.5))
    await _seed_bot_conversation(rec)
    await drain(rec)
    rec.handed_off(CID, "failsafe")  # reported once the bot's call returned, after Chatwoot's save
    await drain(rec)
    rec.delivered(
        body(conversation(CID, "open", updated_at=T0 + 90.2, assignee=6, event="conversation_updated")), 200, 0.001
    )
    await drain(rec)
    assert [(r.from_hands, r.to_hands, r.trigger, r.who_id) for r in await mirror.records(CID)] == [
        ("ai", "pending", "failsafe", None),
        ("pending", "human", "chatwoot_assigned", 6),
    ]
