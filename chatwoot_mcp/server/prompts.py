"""Prompts that help a dashboard agent work with the tools (texts in texts.py)."""

from __future__ import annotations

from typing import Annotated

from mcp.server import MCPServer
from pydantic import Field

from chatwoot_mcp.config import Settings
from chatwoot_mcp.server import texts


def register_prompts(server: MCPServer, settings: Settings) -> None:
    @server.prompt(name="triage_bot_queue", title=texts.TRIAGE_TITLE, description=texts.TRIAGE_DESCRIPTION)
    def triage_bot_queue(
        inbox_id: Annotated[str | None, Field(description="Only this inbox id")] = None,
    ) -> str:
        inbox = inbox_id.strip() if inbox_id and inbox_id.strip().isdigit() else None
        return texts.TRIAGE_PROMPT.format(
            bot_name=settings.bot_name,
            scope=f" na caixa de entrada {inbox}" if inbox else "",
            inbox_arg=f", inbox_id={inbox}" if inbox else "",
        )

    @server.prompt(name="summarize_conversation", title=texts.SUMMARY_TITLE, description=texts.SUMMARY_DESCRIPTION)
    def summarize_conversation(
        conversation_id: Annotated[str, Field(description="The conversation's id")],
    ) -> str:
        return texts.SUMMARY_PROMPT.format(conversation_id=conversation_id.strip())
