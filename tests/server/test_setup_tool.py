"""chatwoot_setup: check the connection, switch it, refuse when locked, recognise an AgentBot token."""

from __future__ import annotations

import pytest
from mcp import Client
from pydantic import SecretStr

from chatwoot_mcp.config import Settings
from chatwoot_mcp.server import build_server
from tests.conftest import Sandbox
from tests.server.conftest import call, dumps, fail, sandbox_settings

pytestmark = pytest.mark.anyio


async def test_setup_without_arguments_reports_user_accounts_inboxes_and_capabilities(
    settings: Settings, sandbox: Sandbox
) -> None:
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_setup")
    assert result["connected"] is True and result["changed"] is False
    assert result["token_kind"] == "user"
    assert result["user"]["name"] == "Ana Administradora" and result["user"]["role"] == "administrator"
    assert 1 in {a["id"] for a in result["accounts"]}
    assert {i["name"]: i["bot_connected"] for i in result["inboxes"]} == {"WhatsApp": True, "Site": True}
    assert result["can"]
    assert sandbox.admin_token not in dumps(result)


async def test_setup_switches_an_unconfigured_server_to_working_settings(sandbox: Sandbox) -> None:
    async with Client(build_server(Settings())) as client:
        before = await fail(client, "chatwoot_list_teams")
        result = await call(client, "chatwoot_setup", base_url=sandbox.base_url, api_token=sandbox.agent_token)
        teams = await call(client, "chatwoot_list_teams")
    assert "Chatwoot is not configured" in before
    assert result["changed"] is True and result["account_id"] == 1
    assert result["user"]["role"] == "agent"
    assert [t["name"] for t in teams["items"]] == ["Humanos"]
    assert sandbox.agent_token not in dumps(result)


async def test_setup_keeps_the_old_connection_when_the_new_token_is_invalid(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_setup", api_token="not-a-real-token")
        still = await call(client, "chatwoot_list_teams")
    assert "rejected the API token as invalid" in text
    assert "not-a-real-token" not in text
    assert still["items"]


async def test_setup_recognises_an_agent_bot_token_and_says_it_cannot_list(
    settings: Settings, sandbox: Sandbox
) -> None:
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_setup", api_token=sandbox.bot_token)
        user = await call(client, "chatwoot_setup")
    assert result["token_kind"] == "agent_bot"
    assert result["connected"] is False and result["changed"] is False
    assert any("AgentBot token" in note for note in result["notes"])
    assert any("NOT list" in line for line in result["can"])
    assert user["token_kind"] == "user"
    assert sandbox.bot_token not in dumps(result)


async def test_setup_reports_an_account_the_user_cannot_reach(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_setup", account_id=2)
    assert result["connected"] is False and result["changed"] is False
    assert any("no access to account 2" in note for note in result["notes"])


async def test_locked_setup_only_checks(sandbox: Sandbox) -> None:
    settings = sandbox_settings(sandbox, mcp_allow_setup=False)
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_setup", base_url="http://evil.example")
        result = await call(client, "chatwoot_setup")
    assert "disabled by the operator (CHATWOOT_MCP_ALLOW_SETUP=false" in text
    assert result["setup_locked"] is True and result["base_url"] == sandbox.base_url


async def test_setup_rejects_a_base_url_without_scheme(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_setup", base_url="chat.example.com")
    assert "base_url must start with http:// or https://" in text


async def test_setup_with_an_unreachable_url_says_to_check_it(sandbox: Sandbox) -> None:
    settings = sandbox_settings(sandbox, chatwoot_url="http://127.0.0.1:9", api_token=SecretStr(sandbox.admin_token))
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_setup")
    assert "Chatwoot did not answer" in text and "base URL" in text


async def test_setup_refuses_credentials_in_the_url_and_an_empty_token(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        in_url = await fail(client, "chatwoot_setup", base_url="https://user:hunter2@chat.example.com")
        empty = await fail(client, "chatwoot_setup", api_token="   ")
    assert "must not carry credentials" in in_url and "hunter2" not in in_url
    assert "api_token is empty" in empty


async def test_setup_never_sends_the_configured_token_to_a_new_address(settings: Settings, sandbox: Sandbox) -> None:
    requests_before = len(sandbox.control("GET", "requests"))
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_setup", base_url="http://127.0.0.1:9/elsewhere")
        still = await call(client, "chatwoot_setup")
    assert "needs its own api_token" in text
    assert still["base_url"] == sandbox.base_url and still["changed"] is False
    # The refused call made no request at all: the check happened before any connection was opened.
    profile_calls = [r for r in sandbox.control("GET", "requests")[requests_before:] if r["path"] == "/api/v1/profile"]
    assert len(profile_calls) == 1  # the second, argument-less check only


async def test_read_only_mode_locks_setup_to_checking(sandbox: Sandbox) -> None:
    server = build_server(sandbox_settings(sandbox, mcp_read_only=True))
    async with Client(server) as client:
        text = await fail(client, "chatwoot_setup", api_token=sandbox.agent_token)
        result = await call(client, "chatwoot_setup")
    assert "CHATWOOT_MCP_READ_ONLY" in text
    assert result["setup_locked"] is True and result["user"]["role"] == "administrator"
