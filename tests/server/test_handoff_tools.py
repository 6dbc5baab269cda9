"""chatwoot_take_over and chatwoot_return_to_bot, with the sandbox's state and the customer's notices."""

from __future__ import annotations

import pytest
from mcp import Client

from chatwoot_mcp.config import Settings
from chatwoot_mcp.server import build_server, texts
from tests.conftest import Sandbox
from tests.server.conftest import call, conversation, fail, messages, sandbox_settings

pytestmark = pytest.mark.anyio


async def test_take_over_assigns_the_tokens_user_opens_and_notifies(settings: Settings, sandbox: Sandbox) -> None:
    admin = sandbox.agent("administrator")
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_take_over", conversation_id=1, note="cliente pediu humano")
    state = conversation(sandbox, 1)
    assert state["status"] == "open"
    assert state["meta"]["assignee"]["id"] == admin["id"]
    public, note = messages(sandbox, 1)[-2:]
    assert public["content"] == texts.TAKEOVER_MESSAGE and public["private"] is False
    assert note["content"] == "cliente pediu humano" and note["private"] is True
    assert result["changed"] and result["notified"] and result["note_added"]
    assert result["conversation"]["owner"] == "human"


async def test_take_over_for_another_agent_without_notice(settings: Settings, sandbox: Sandbox) -> None:
    agent = sandbox.agent("agent")
    before = [m for m in messages(sandbox, 2) if not m["private"]]
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_take_over", conversation_id=2, assignee_id=agent["id"], notify=False)
    assert conversation(sandbox, 2)["meta"]["assignee"]["id"] == agent["id"]
    assert [m for m in messages(sandbox, 2) if not m["private"]] == before
    claim = messages(sandbox, 2)[-1]
    assert claim["private"] and claim["source_id"].startswith(f"handoff-claim:take:{agent['id']}:")
    assert result["notified"] is False


async def test_take_over_uses_the_configured_message(sandbox: Sandbox) -> None:
    settings = sandbox_settings(sandbox, takeover_message="Um humano chegou.")
    async with Client(build_server(settings)) as client:
        await call(client, "chatwoot_take_over", conversation_id=1)
    assert messages(sandbox, 1)[-1]["content"] == "Um humano chegou."


async def test_take_over_refuses_a_conversation_another_person_owns(settings: Settings, sandbox: Sandbox) -> None:
    agent = sandbox.agent("agent")
    sandbox.api("POST", "conversations/4/assignments", json={"assignee_id": agent["id"]})
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_take_over", conversation_id=4)
    assert f"already owned by Bruno Agente (agent {agent['id']})" in text
    assert "force=true" in text
    assert conversation(sandbox, 4)["meta"]["assignee"]["id"] == agent["id"]


async def test_take_over_with_force_takes_it_anyway(settings: Settings, sandbox: Sandbox) -> None:
    agent = sandbox.agent("agent")
    sandbox.api("POST", "conversations/4/assignments", json={"assignee_id": agent["id"]})
    async with Client(build_server(settings)) as client:
        await call(client, "chatwoot_take_over", conversation_id=4, force=True, notify=False)
    assert conversation(sandbox, 4)["meta"]["assignee"]["id"] == sandbox.agent("administrator")["id"]


async def test_take_over_twice_sends_one_notice(settings: Settings, sandbox: Sandbox) -> None:
    async with Client(build_server(settings)) as client:
        await call(client, "chatwoot_take_over", conversation_id=1)
        again = await call(client, "chatwoot_take_over", conversation_id=1)
    notices = [m for m in messages(sandbox, 1) if m["content"] == texts.TAKEOVER_MESSAGE]
    assert len(notices) == 1
    assert again["changed"] is False and "already" in again["detail"]


async def test_return_to_bot_unassigns_sets_pending_and_notifies_with_the_bot_name(sandbox: Sandbox) -> None:
    settings = sandbox_settings(sandbox, bot_name="Lia")
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_return_to_bot", conversation_id=3, note="resolvido o problema")
    state = conversation(sandbox, 3)
    assert state["status"] == "pending"
    assert state["meta"].get("assignee") is None
    public, note = messages(sandbox, 3)[-2:]
    assert public["content"] == "🤖 Você foi transferido de volta para a assistente Lia. Como posso ajudar?"
    assert note["private"] is True
    assert result["conversation"]["owner"] == "bot"


async def test_return_to_bot_is_idempotent(settings: Settings, sandbox: Sandbox) -> None:
    before = len(messages(sandbox, 1))
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_return_to_bot", conversation_id=1)
    assert result["changed"] is False and result["notified"] is False
    assert "already with the bot" in result["detail"]
    assert len(messages(sandbox, 1)) == before


async def test_return_to_bot_uses_the_configured_message(sandbox: Sandbox) -> None:
    settings = sandbox_settings(sandbox, return_message="De volta com {bot_name}!")
    async with Client(build_server(settings)) as client:
        await call(client, "chatwoot_return_to_bot", conversation_id=4)
    assert messages(sandbox, 4)[-1]["content"] == "De volta com BIA!"


async def test_act_as_bot_sends_bot_allowed_writes_with_the_bot_token(settings: Settings, sandbox: Sandbox) -> None:
    sandbox.control("DELETE", "requests")
    async with Client(build_server(settings, act_as_bot=True)) as client:
        await call(client, "chatwoot_take_over", conversation_id=1, assignee_id=sandbox.agent("agent")["id"])
    requests = sandbox.control("GET", "requests")
    writes = {(r["path"].rsplit("/", 1)[-1], r["token"]) for r in requests if r["method"] == "POST"}
    reads = {r["token"] for r in requests if r["method"] == "GET"}
    assert writes == {("toggle_status", "bot"), ("assignments", "bot"), ("messages", "bot")}
    assert reads == {"admin"}
    assert conversation(sandbox, 1)["status"] == "open"
    assert messages(sandbox, 1)[-1]["sender"]["type"] == "agent_bot"


async def test_return_to_bot_notifies_before_the_status_turns_pending(settings: Settings, sandbox: Sandbox) -> None:
    # The bot reads a person's message in a pending conversation as a takeover; the notice must precede pending.
    sandbox.control("DELETE", "requests")
    async with Client(build_server(settings)) as client:
        await call(client, "chatwoot_return_to_bot", conversation_id=3)
    writes = [r["path"].rsplit("/", 1)[-1] for r in sandbox.control("GET", "requests") if r["method"] == "POST"]
    assert writes == ["assignments", "messages", "messages", "toggle_status"]  # the claim note, then the notice
    assert conversation(sandbox, 3)["status"] == "pending"
