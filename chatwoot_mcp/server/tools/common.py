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

__all__ = [
    "BOT_SOURCE_PREFIX",
    "PAGE_SIZE",
    "UNCHANGED",
    "Unchanged",
    "unchanged",
    "STATUS_ALIASES",
    "ConversationId",
    "StatusArg",
    "chatwoot_status",
]


class Unchanged:
    """The default of a parameter where null means "clear it": omitted is then different from null.

    Given through `Field(default_factory=unchanged)`, which the JSON schema does not show, so a model sees a plain
    nullable parameter with no default."""

    _instance: Unchanged | None = None

    def __new__(cls) -> Unchanged:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = Unchanged()


def unchanged() -> Unchanged:
    return UNCHANGED


def chatwoot_status(status: str) -> str:
    return STATUS_ALIASES.get(status, status)
