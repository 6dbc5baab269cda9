"""open_tool_session in memory: the bot's and dashboards' way to call the same tools."""

from __future__ import annotations

import pytest

from chatwoot_mcp.config import Settings
from chatwoot_mcp.server.session import ToolCallFailed, open_tool_session
from tests.conftest import Sandbox
from tests.server.conftest import conversation

pytestmark = pytest.mark.anyio


async def test_call_returns_the_structured_result(settings: Settings) -> None:
    async with open_tool_session(settings) as tools:
        data = await tools.call("chatwoot_get_conversation", conversation_id=1)
    assert data["id"] == 1 and data["owner"] == "bot"
    assert data["messages"][0]["content"] == "Olá! Preciso de ajuda com meu pedido #1029"


async def test_a_tool_error_raises_tool_call_failed_with_its_sentence(settings: Settings) -> None:
    async with open_tool_session(settings) as tools:
        with pytest.raises(ToolCallFailed) as caught:
            await tools.call("chatwoot_get_conversation", conversation_id=4242)
    assert str(caught.value).startswith("conversation 4242 was not found in account 1")
    assert caught.value.tool == "chatwoot_get_conversation"


async def test_act_as_bot_session_hands_off_with_the_bot_token(settings: Settings, sandbox: Sandbox) -> None:
    sandbox.control("DELETE", "requests")
    async with open_tool_session(settings, act_as_bot=True) as tools:
        await tools.call("chatwoot_update_conversation", conversation_id=2, status="open")
    toggles = [r for r in sandbox.control("GET", "requests") if r["path"].endswith("/toggle_status")]
    assert [r["token"] for r in toggles] == ["bot"]
    assert conversation(sandbox, 2)["status"] == "open"
