"""The BotContext history and the coverage of posted replies, read from the tools' message views."""

from __future__ import annotations

from typing import Any

from bot import texts
from bot.brain.base import Turn
from bot.history import (
    HISTORY_LIMIT,
    answered_through,
    build_history,
    newest_customer_message,
)
from chatwoot_mcp.server.views import MessageView


def item(
    id: int,
    type: Any,
    content: str,
    sender_type: str | None = None,
    private: bool = False,
    source_id: str | None = None,
) -> MessageView:
    return MessageView(id=id, type=type, content=content, sender_type=sender_type, private=private, source_id=source_id)


def test_history_keeps_customer_bot_and_agent_turns_and_leaves_out_notes_and_activity() -> None:
    messages = [
        item(3, "outgoing", "Olá! Sou a BIA.", "agent_bot"),
        item(1, "incoming", "Oi", "contact"),
        item(4, "outgoing", "nota interna", "user", private=True),
        item(5, "activity", "Conversation was reopened by BIA"),
        item(6, "template", "Deixe seu e-mail"),
        item(7, "incoming", "   ", "contact"),
        item(8, "incoming", "Meu pedido atrasou", "contact"),
    ]
    assert build_history(messages) == (
        Turn("customer", "Oi"),
        Turn("bot", "Olá! Sou a BIA."),
        Turn("customer", "Meu pedido atrasou"),
    )


def test_after_a_human_stretch_an_event_turn_marks_where_it_ended() -> None:
    messages = [
        item(1, "incoming", "Quero falar com alguém", "contact"),
        item(2, "outgoing", "Oi, sou o Bruno", "user"),
        item(3, "outgoing", "Resolvido!", None),  # typed on the phone: no sender
        item(4, "incoming", "Obrigada, mais uma dúvida", "contact"),
    ]
    assert [t.role for t in build_history(messages)] == ["customer", "agent", "agent", "event", "customer"]
    assert build_history(messages)[3] == Turn("event", texts.EVENT_BACK_TO_BOT)


def test_history_is_capped_to_the_latest_turns() -> None:
    messages = [item(i, "incoming", f"mensagem {i}", "contact") for i in range(1, HISTORY_LIMIT + 11)]
    history = build_history(messages)
    assert len(history) == HISTORY_LIMIT
    assert history[-1] == Turn("customer", f"mensagem {HISTORY_LIMIT + 10}")


def test_a_posted_reply_covers_the_customer_messages_up_to_the_id_in_its_key() -> None:
    messages = [
        item(1, "incoming", "Oi", "contact"),
        item(2, "incoming", "Tem frete?", "contact"),
        item(3, "outgoing", "Olá!", "agent_bot", source_id="bot:2"),
        item(4, "outgoing", "nota", "agent_bot", private=True, source_id="bot:2:handoff"),
        item(5, "outgoing", "De volta", "user", source_id="bot:return:9:1"),
        item(6, "incoming", "E o prazo?", "contact", source_id="bot:99"),  # a customer cannot cover anything
    ]
    assert answered_through(messages) == 2
    assert newest_customer_message(messages) == 6
    assert answered_through(messages[:2]) == 0 and newest_customer_message([]) == 0
