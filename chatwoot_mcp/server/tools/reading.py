"""chatwoot_mark_read: what a person has read, as Chatwoot's own screen marks it when they open a conversation."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chatwoot_mcp.server.connection import Connection
from chatwoot_mcp.server.errors import chatwoot_errors
from chatwoot_mcp.server.registry import tool
from chatwoot_mcp.server.tools.common import ConversationId


class MarkReadResult(BaseModel):
    conversation_id: int
    unread_count: int = Field(description="Messages still unread after the call (normally 0)")


@tool(
    "chatwoot_mark_read",
    title="Mark a conversation as read",
    toolset="conversations",
    read_only=False,
    destructive=False,
    idempotent=True,
    open_world=False,
)
async def mark_read(conn: Connection, conversation_id: ConversationId) -> MarkReadResult:
    """Mark a conversation as read by the token's user, as Chatwoot does when a person opens it: its unread count
    drops to 0 (Chatwoot keeps one "seen by agents" time per conversation, and one for its assignee). The
    customer sees nothing and the owner does not change.

    Needs a person's token (administrator or agent), not an AgentBot's. Call it after showing the conversation
    to that person (chatwoot_get_conversation); repeating it is harmless.
    """
    async with conn.reader() as cw:
        with chatwoot_errors("mark the conversation as read", subject=f"conversation {conversation_id}",
                             account_id=conn.account_id):  # fmt: skip
            conversation = await cw.conversations.mark_read(conversation_id)
    return MarkReadResult(conversation_id=conversation.id, unread_count=conversation.unread_count or 0)
