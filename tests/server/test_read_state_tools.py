"""chatwoot_mark_read and chatwoot_list_labels, in memory through mcp.Client against the sandbox."""

from __future__ import annotations

import pytest
from mcp import Client
from pydantic import SecretStr

from chatwoot_mcp.config import Settings
from chatwoot_mcp.server import build_server
from tests.conftest import Sandbox
from tests.server.conftest import call, fail, sandbox_settings

pytestmark = pytest.mark.anyio


async def test_marking_a_conversation_read_drops_its_unread_count_and_changes_nothing_else(
    settings: Settings, sandbox: Sandbox
) -> None:
    async with Client(build_server(settings)) as client:
        before = await call(client, "chatwoot_get_conversation", conversation_id=1)
        assert before["unread_count"] > 0
        result = await call(client, "chatwoot_mark_read", conversation_id=1)
        after = await call(client, "chatwoot_get_conversation", conversation_id=1)
        again = await call(client, "chatwoot_mark_read", conversation_id=1)  # harmless
    assert result == {"conversation_id": 1, "unread_count": 0} and again["unread_count"] == 0
    assert after.get("unread_count", 0) == 0  # results leave out fields at their default
    state = next(c for c in sandbox.control("GET", "state")["conversations"] if c["id"] == 1)
    assert state["status"] == "pending" and state["assignee_id"] is None  # the owner did not change


async def test_marking_read_an_unknown_conversation_says_how_to_find_one(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_mark_read", conversation_id=999)
    assert "999" in text and "not found" in text


async def test_read_only_mode_leaves_mark_read_out(sandbox: Sandbox) -> None:
    async with Client(build_server(sandbox_settings(sandbox, mcp_read_only=True))) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
    assert "chatwoot_mark_read" not in names and "chatwoot_list_labels" in names


async def test_an_agent_lists_the_accounts_labels(sandbox: Sandbox) -> None:
    settings = sandbox_settings(sandbox, api_token=SecretStr(sandbox.agent_token))
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_list_labels")
    assert [label["title"] for label in result["items"]] == ["reclamacao", "entrega", "vip", "pagamento"]
    assert result["items"][0]["description"] == "Reclamações de clientes"
    assert result["items"][0]["color"] == "#D93025"
