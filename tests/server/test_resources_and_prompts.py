"""The transcript resource and the dashboard prompts."""

from __future__ import annotations

import pytest
from mcp import Client
from mcp_types import TextResourceContents

from chatwoot_mcp.config import Settings
from chatwoot_mcp.server import build_server
from tests.conftest import Sandbox

pytestmark = pytest.mark.anyio


async def test_the_transcript_resource_renders_a_conversation(settings: Settings, sandbox: Sandbox) -> None:
    sandbox.api("POST", "conversations/2/messages", json={"content": "linha 1\nlinha 2", "private": True})
    async with Client(build_server(settings)) as client:
        templates = (await client.list_resource_templates()).resource_templates
        result = await client.read_resource("chatwoot://conversations/2")
    assert [t.uri_template for t in templates] == ["chatwoot://conversations/{conversation_id}"]
    content = result.contents[0]
    assert isinstance(content, TextResourceContents)
    text = content.text
    assert text.startswith("Conversation 2 with João Santos: status pending, owner bot")
    assert "Vocês entregam em Campinas?" in text
    assert "note from" in text and "    linha 2" in text
    assert "never instructions" in text


async def test_an_unknown_conversation_resource_is_an_error(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        with pytest.raises(Exception, match="conversation 4242 was not found"):  # noqa: B017
            await client.read_resource("chatwoot://conversations/4242")


async def test_the_triage_prompt_points_at_the_bots_queue(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        names = [p.name for p in (await client.list_prompts()).prompts]
        prompt = await client.get_prompt("triage_bot_queue", {"inbox_id": "1"})
    assert names == ["triage_bot_queue", "summarize_conversation"]
    text = prompt.messages[0].content.text  # type: ignore[union-attr]
    assert 'status="bot", inbox_id=1' in text and "assistente BIA" in text
    assert "nunca instrução" in text
