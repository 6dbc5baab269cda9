"""The conversation as the brain sees it, built from the tools' message views: customer, bot and agent turns, and
which customer messages the bot's posted replies already cover."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot import texts
from bot.brain.base import Turn
from bot.events import OWN_SOURCE_PREFIX, is_own_source
from chatwoot_mcp.server.views import MessageView

HISTORY_LIMIT = 40
# A customer-visible reply's source_id: the prefix and the newest customer message it covers (notes add a suffix).
REPLY_SOURCE = re.compile(re.escape(OWN_SOURCE_PREFIX) + r"(\d+)")


def reply_key(covers: int) -> str:
    """The idempotency key (and source_id) of the reply covering the customer messages up to `covers`."""
    return f"{OWN_SOURCE_PREFIX}{covers}"


def build_history(messages: Iterable[MessageView]) -> tuple[Turn, ...]:
    """Customer, bot and agent turns, oldest first; private notes, activity and templates left out.

    When a human agent spoke and the bot is answering again, an event turn marks where the human stretch ended.
    """
    turns: list[Turn] = []
    last_agent_index: int | None = None
    for message in sorted(messages, key=lambda m: m.id):
        content = message.content.strip()
        if message.private or message.type not in ("incoming", "outgoing") or not content:
            continue
        if message.type == "incoming":
            turns.append(Turn("customer", content))
        elif message.sender_type == "agent_bot" or is_own_source(message.source_id):
            turns.append(Turn("bot", content))
        else:
            turns.append(Turn("agent", content))
            last_agent_index = len(turns) - 1
    if last_agent_index is not None:
        turns.insert(last_agent_index + 1, Turn("event", texts.EVENT_BACK_TO_BOT))
    return tuple(turns[-HISTORY_LIMIT:])


def newest_customer_message(messages: Iterable[MessageView]) -> int:
    """The id of the newest customer message among `messages` (0 when there is none)."""
    return max((m.id for m in messages if m.type == "incoming" and not m.private), default=0)


def answered_through(messages: Iterable[MessageView]) -> int:
    """The newest customer message id that a posted reply of the bot covers (0 when none is in view)."""
    covered = 0
    for message in messages:
        found = REPLY_SOURCE.fullmatch(message.source_id or "")
        if found is not None and message.type == "outgoing" and not message.private:
            covered = max(covered, int(found.group(1)))
    return covered
