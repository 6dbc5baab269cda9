"""Parameter types and helpers shared by the tool modules."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from chatwoot_mcp.client import PAGE_SIZE

ConversationId = Annotated[
    int, Field(description="The conversation's id (display id) as shown by chatwoot_list_conversations", ge=1)
]
StatusArg = Literal["open", "pending", "resolved", "snoozed", "bot", "human"]

# A model thinks in owners; Chatwoot only has statuses. `bot` and `human` are the statuses of those owners.
STATUS_ALIASES: dict[str, str] = {"bot": "pending", "human": "open"}

__all__ = ["PAGE_SIZE", "STATUS_ALIASES", "ConversationId", "StatusArg", "chatwoot_status"]


def chatwoot_status(status: str) -> str:
    return STATUS_ALIASES.get(status, status)
