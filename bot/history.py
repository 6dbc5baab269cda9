"""The conversation as the brain sees it: customer, bot and agent turns built from the tool's message list."""

from __future__ import annotations

from typing import Any

from bot import texts
from bot.brain.base import Turn
from bot.events import is_own_source

HISTORY_LIMIT = 40


def build_history(messages: list[dict[str, Any]]) -> tuple[Turn, ...]:
    """Customer, bot and agent turns, oldest first; private notes, activity and templates left out.

    When a human agent spoke and the bot is answering again, an event turn marks where the human stretch ended.
    """
    turns: list[Turn] = []
    last_agent_index: int | None = None
    for message in sorted(messages, key=lambda m: int(m.get("id") or 0)):
        kind = message.get("type")
        content = str(message.get("content") or "").strip()
        if message.get("private") or kind not in ("incoming", "outgoing") or not content:
            continue
        if kind == "incoming":
            turns.append(Turn("customer", content))
        elif message.get("sender_type") == "agent_bot" or is_own_source(message.get("source_id")):
            turns.append(Turn("bot", content))
        else:
            turns.append(Turn("agent", content))
            last_agent_index = len(turns) - 1
    if last_agent_index is not None:
        turns.insert(last_agent_index + 1, Turn("event", texts.EVENT_BACK_TO_BOT))
    return tuple(turns[-HISTORY_LIMIT:])
