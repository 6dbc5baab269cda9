"""Every Chatwoot or network failure reaches the model as one actionable sentence."""

from __future__ import annotations

import pytest
from mcp import Client
from pydantic import SecretStr

from chatwoot_mcp.config import Settings
from chatwoot_mcp.server import build_server
from tests.conftest import Sandbox
from tests.server.conftest import fail, fault, sandbox_settings

pytestmark = pytest.mark.anyio

CONVERSATIONS = r"/api/v1/accounts/1/conversations"


async def test_an_invalid_token_says_to_fix_it_with_setup(sandbox: Sandbox) -> None:
    settings = sandbox_settings(sandbox, api_token=SecretStr("expired-token-000"))
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_list_conversations")
    assert "could not list conversations: Chatwoot rejected the API token as invalid" in text
    assert "chatwoot_setup" in text and "expired-token-000" not in text


async def test_a_bot_token_used_for_listing_is_explained(sandbox: Sandbox) -> None:
    settings = sandbox_settings(sandbox, api_token=SecretStr(sandbox.bot_token))
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_list_agents")
    assert "does not let an AgentBot token use this endpoint" in text
    assert "user (agent or administrator) access token" in text


async def test_an_agent_outside_the_inbox_is_told_it_lacks_access(sandbox: Sandbox) -> None:
    other_agent = sandbox.agent("agent", 1)
    site = sandbox.inbox("Site")["id"]
    conversation_id = next(
        c["id"]
        for c in sandbox.api("GET", "conversations", params={"status": "all"}).json()["data"]["payload"]
        if c["inbox_id"] == site
    )
    settings = sandbox_settings(sandbox, api_token=SecretStr(other_agent["access_token"]))
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_get_conversation", conversation_id=conversation_id)
    assert f"the token's user is not allowed to do this on conversation {conversation_id}" in text
    assert "ask an administrator for access" in text


async def test_rate_limiting_says_how_long_to_wait(settings: Settings, sandbox: Sandbox) -> None:
    fault(sandbox, "POST", CONVERSATIONS + r"/1/messages", 429, headers={"Retry-After": "7"}, body="Retry later")
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_send_message", conversation_id=1, content="oi")
    assert "Chatwoot is rate limiting requests; wait 7 seconds and try again" in text


async def test_a_broken_response_body_points_at_the_base_url(settings: Settings, sandbox: Sandbox) -> None:
    fault(sandbox, "GET", r"/api/v1/accounts/1/teams", 200, body="<html>login</html>")
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_list_teams")
    assert "Chatwoot's answer could not be read" in text and "base URL" in text


async def test_a_rejected_write_quotes_chatwoot_and_asks_to_fix_arguments(settings: Settings, sandbox: Sandbox) -> None:
    fault(sandbox, "POST", CONVERSATIONS + r"/1/messages", 422, body={"error": "Validation failed: Too many messages"})
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_send_message", conversation_id=1, content="oi")
    said = '(Chatwoot said: "Validation failed: Too many messages")'
    assert f"Chatwoot rejected the request to send the message {said}" in text


async def test_bad_arguments_name_the_field_without_echoing_the_value(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        page = await fail(client, "chatwoot_list_conversations", page=0)
        token = await fail(client, "chatwoot_setup", api_token=["very-secret-value"])
        status = await fail(client, "chatwoot_update_conversation", conversation_id=1, status="bot-ish")
    assert page.startswith("invalid arguments for chatwoot_list_conversations: page: Input should be greater than")
    assert "api_token: Input should be a valid string" in token and "very-secret-value" not in token
    assert "status: Input should be 'open', 'pending'" in status
