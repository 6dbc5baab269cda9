"""send_message and update_conversation, asserting the sandbox's state after each call."""

from __future__ import annotations

from datetime import datetime

import pytest
from mcp import Client

from chatwoot_mcp.config import Settings
from chatwoot_mcp.server import build_server
from tests.conftest import Sandbox
from tests.server.conftest import call, conversation, fail, fault, messages

pytestmark = pytest.mark.anyio


async def test_send_message_posts_a_public_reply(settings: Settings, sandbox: Sandbox) -> None:
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_send_message", conversation_id=1, content="Já vou verificar!")
    last = messages(sandbox, 1)[-1]
    assert last["content"] == "Já vou verificar!"
    assert last["private"] is False and last["message_type"] == 1
    assert result["message"]["id"] == last["id"] and result["duplicate"] is False


async def test_send_message_private_posts_a_note(settings: Settings, sandbox: Sandbox) -> None:
    async with Client(build_server(settings)) as client:
        await call(client, "chatwoot_send_message", conversation_id=1, content="cliente VIP", private=True)
    assert messages(sandbox, 1)[-1]["private"] is True


async def test_send_message_refuses_when_the_owner_changed(settings: Settings, sandbox: Sandbox) -> None:
    sandbox.api("POST", "conversations/1/assignments", json={"assignee_id": sandbox.agent("agent")["id"]})
    sandbox.api("POST", "conversations/1/toggle_status", json={"status": "open"})
    before = len(messages(sandbox, 1))
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_send_message", conversation_id=1, content="oi", expect_owner="bot")
    assert "now owned by human" in text and "Bruno Agente" in text and "nothing was sent" in text
    assert len(messages(sandbox, 1)) == before


async def test_send_message_with_expect_owner_sends_when_it_still_matches(settings: Settings, sandbox: Sandbox) -> None:
    async with Client(build_server(settings)) as client:
        await call(client, "chatwoot_send_message", conversation_id=1, content="oi", expect_owner="bot")
    assert messages(sandbox, 1)[-1]["content"] == "oi"


async def test_idempotency_key_posts_once_and_returns_the_first_message(settings: Settings, sandbox: Sandbox) -> None:
    async with Client(build_server(settings)) as client:
        reply = {"conversation_id": 2, "content": "R$ 15", "idempotency_key": "bot:77"}
        first = await call(client, "chatwoot_send_message", **reply)
        second = await call(client, "chatwoot_send_message", **reply)
    posted = [m for m in messages(sandbox, 2) if m["content"] == "R$ 15"]
    assert len(posted) == 1 and posted[0]["source_id"] == "bot:77"
    assert first["duplicate"] is False and second["duplicate"] is True
    assert second["message"]["id"] == first["message"]["id"]


async def test_idempotency_key_is_found_even_after_many_newer_messages(settings: Settings, sandbox: Sandbox) -> None:
    async with Client(build_server(settings)) as client:
        reply = {"conversation_id": 2, "content": "primeira resposta", "idempotency_key": "bot:88"}
        first = await call(client, "chatwoot_send_message", **reply)
        for i in range(45):  # more than two pages of 20 arrive before the retry
            await call(client, "chatwoot_send_message", conversation_id=2, content=f"depois {i}", private=True)
        again = await call(client, "chatwoot_send_message", **reply)
    assert again["duplicate"] is True and again["message"]["id"] == first["message"]["id"]
    state = sandbox.control("GET", "state")
    everything = next(c for c in state["conversations"] if c["id"] == 2)["messages"]
    assert len([m for m in everything if m["content"] == "primeira resposta"]) == 1


async def test_send_message_is_not_retried_after_a_server_error(settings: Settings, sandbox: Sandbox) -> None:
    fault(sandbox, "POST", r"/api/v1/accounts/1/conversations/1/messages", 503, count=1)
    sandbox.control("DELETE", "requests")
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_send_message", conversation_id=1, content="oi")
    posts = [r for r in sandbox.control("GET", "requests") if r["method"] == "POST"]
    assert len(posts) == 1
    assert "could not send the message: Chatwoot failed with HTTP 503" in text


async def test_update_conversation_changes_status_priority_team_and_assignee(
    settings: Settings, sandbox: Sandbox
) -> None:
    agent = sandbox.agent("agent")
    async with Client(build_server(settings)) as client:
        result = await call(
            client, "chatwoot_update_conversation",
            conversation_id=4, status="resolved", priority="urgent", team_id=1, assignee_id=agent["id"],
        )  # fmt: skip
    state = conversation(sandbox, 4)
    assert state["status"] == "resolved"
    assert state["priority"] == "urgent"
    assert state["meta"]["team"]["id"] == 1
    assert state["meta"]["assignee"]["id"] == agent["id"]
    assert any(c.startswith("status: open → resolved") for c in result["changed"])
    assert result["conversation"]["owner"] == "closed"


async def test_update_conversation_null_assignee_and_team_differ_from_leaving_them_out(
    settings: Settings, sandbox: Sandbox
) -> None:
    async with Client(build_server(settings)) as client:
        await call(client, "chatwoot_update_conversation", conversation_id=3, priority="low")
        kept = conversation(sandbox, 3)
        assert kept["meta"]["assignee"] is not None and kept["meta"]["team"] is not None
        result = await call(client, "chatwoot_update_conversation", conversation_id=3, assignee_id=None, team_id=None)
    state = conversation(sandbox, 3)
    assert any(c.endswith("→ nobody") for c in result["changed"])
    assert any(c.startswith("team:") and c.endswith("→ none") for c in result["changed"])
    assert state["meta"].get("assignee") is None
    assert state["meta"].get("team") is None


async def test_update_conversation_adds_and_removes_labels_keeping_the_rest(
    settings: Settings, sandbox: Sandbox
) -> None:
    sandbox.api("POST", "labels", json={"label": {"title": "troca"}})  # Chatwoot applies defined labels only
    sandbox.api("POST", "conversations/3/labels", json={"labels": ["reclamacao", "vip"]})
    async with Client(build_server(settings)) as client:
        result = await call(
            client, "chatwoot_update_conversation", conversation_id=3, add_labels=["troca"], remove_labels=["vip"]
        )
    labels = sandbox.api("GET", "conversations/3/labels").json()["payload"]
    assert sorted(labels) == ["reclamacao", "troca"]
    assert "labels: +troca, -vip" in result["changed"]
    assert result["labels_not_applied"] == [] and result["notice"] is None


async def test_update_conversation_says_which_labels_the_account_does_not_define(
    settings: Settings, sandbox: Sandbox
) -> None:
    sandbox.api("POST", "conversations/3/labels", json={"labels": ["reclamacao"]})
    async with Client(build_server(settings)) as client:
        result = await call(
            client, "chatwoot_update_conversation", conversation_id=3, add_labels=["vip", "troca", "Garantia"]
        )
        only_undefined = await fail(client, "chatwoot_update_conversation", conversation_id=3, add_labels=["troca"])
    assert sandbox.api("GET", "conversations/3/labels").json()["payload"] == ["reclamacao", "vip"]
    assert result["changed"] == ["labels: +vip"]
    assert result["labels_not_applied"] == ["troca", "Garantia"]
    assert "troca, Garantia" in result["notice"] and "Configurações → Etiquetas" in result["notice"]
    assert "troca" in only_undefined and "Configurações → Etiquetas" in only_undefined


async def test_update_conversation_snooze_until_sets_status_and_time(settings: Settings, sandbox: Sandbox) -> None:
    until = 4_102_444_800
    async with Client(build_server(settings)) as client:
        await call(client, "chatwoot_update_conversation", conversation_id=4, snoozed_until=until)
    state = conversation(sandbox, 4)
    assert state["status"] == "snoozed"
    assert datetime.fromisoformat(state["snoozed_until"].replace("Z", "+00:00")).timestamp() == until


async def test_update_conversation_with_nothing_to_change_says_so(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_update_conversation", conversation_id=4)
    assert "nothing to change" in text


async def test_update_conversation_null_assignee_on_an_unassigned_conversation_changes_nothing(
    settings: Settings, sandbox: Sandbox
) -> None:
    sandbox.control("DELETE", "requests")
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_update_conversation", conversation_id=4, assignee_id=None)
    assert result["changed"] == [] and result["unchanged"] == ["no agent assigned"]
    assert not [r for r in sandbox.control("GET", "requests") if r["path"].endswith("/assignments")]


async def test_update_conversation_failure_midway_says_what_was_applied(settings: Settings, sandbox: Sandbox) -> None:
    path = r"/api/v1/accounts/1/conversations/4/toggle_priority"
    fault(sandbox, "POST", path, 422, body={"error": "Priority is locked"})
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_update_conversation", conversation_id=4, status="pending", priority="high")
    assert 'Chatwoot rejected the request to set the priority to high (Chatwoot said: "Priority is locked")' in text
    assert "Already applied before this failure: status: open → pending" in text
    assert conversation(sandbox, 4)["status"] == "pending"


async def test_update_conversation_with_an_unknown_agent_says_it_left_it_unassigned(
    settings: Settings, sandbox: Sandbox
) -> None:
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_update_conversation", conversation_id=4, assignee_id=999)
    assert "agent 999 is not in account 1" in text and "chatwoot_list_agents" in text
