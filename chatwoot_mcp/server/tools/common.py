"""Parameter types and helpers shared by the tool modules."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from chatwoot_mcp.client import PAGE_SIZE

ConversationId = Annotated[
    int, Field(description="The conversation's id (display id) as shown by chatwoot_list_conversations", ge=1)
]
StatusArg = Literal["open", "pending", "resolved", "snoozed", "bot", "human"]

# Messages posted for the bot carry a source_id with this prefix (the bot's replies use `bot:<message id>` as
# their idempotency key). The bot reads it to tell its own messages from a person's when both are posted with a
# user token, since Chatwoot then reports a "user" as the sender.
BOT_SOURCE_PREFIX = "bot:"

# A model thinks in owners; Chatwoot only has statuses. `bot` and `human` are the statuses of those owners.
STATUS_ALIASES: dict[str, str] = {"bot": "pending", "human": "open"}

__all__ = ["BOT_SOURCE_PREFIX", "PAGE_SIZE", "STATUS_ALIASES", "ConversationId", "StatusArg", "chatwoot_status"]


def chatwoot_status(status: str) -> str:
    return STATUS_ALIASES.get(status, status)
