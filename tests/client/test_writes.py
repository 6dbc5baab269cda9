"""Every write of the client against the sandbox over real HTTP; state is checked with independent raw reads."""

from __future__ import annotations

import time

import pytest

from chatwoot_mcp.client import NotFoundError

from .helpers import open_client, raw

pytestmark = pytest.mark.anyio


async def test_create_conversation_in_a_bot_inbox_starts_pending_with_its_first_message(sandbox) -> None:
    inbox_id = sandbox.inbox("WhatsApp")["id"]
    async with open_client(sandbox) as cw:
        conv = await cw.conversations.create(
            inbox_id=inbox_id, contact_id=12, message="Oi, tudo bem?", custom_attributes={"pedido": "1029"}
        )
    stored = raw(sandbox, f"conversations/{conv.id}")
    assert conv.status == "pending" == stored["status"]
    assert stored["inbox_id"] == inbox_id
    assert stored["meta"]["sender"]["id"] == 12
    contents = [m["content"] for m in raw(sandbox, f"conversations/{conv.id}/messages")["payload"]]
    assert "Oi, tudo bem?" in contents


async def test_toggle_status_sets_an_explicit_status(sandbox) -> None:
    async with open_client(sandbox) as cw:
        result = await cw.conversations.toggle_status(4, "resolved")
    assert result.success is True
    assert result.conversation_id == 4
    assert result.current_status == "resolved"
    assert raw(sandbox, "conversations/4")["status"] == "resolved"


async def test_toggle_status_without_status_flips_open_to_resolved_and_back(sandbox) -> None:
    async with open_client(sandbox) as cw:
        first = await cw.conversations.toggle_status(3)
        assert raw(sandbox, "conversations/3")["status"] == "resolved"
        second = await cw.conversations.toggle_status(3)
    assert (first.current_status, second.current_status) == ("resolved", "open")
    assert raw(sandbox, "conversations/3")["status"] == "open"


async def test_toggle_status_snoozes_until_a_unix_time(sandbox) -> None:
    until = int(time.time()) + 7200
    async with open_client(sandbox) as cw:
        result = await cw.conversations.toggle_status(4, "snoozed", snoozed_until=until)
        conv = await cw.conversations.get(4)
    assert result.current_status == "snoozed"
    assert conv.status == "snoozed"
    assert conv.snoozed_until == until


async def test_a_bot_handing_a_pending_conversation_to_humans_gets_success_null(sandbox) -> None:
    async with open_client(sandbox, sandbox.bot_token) as cw:
        result = await cw.conversations.toggle_status(1, "open")
    assert result.success is None
    assert result.current_status == "open"
    assert raw(sandbox, "conversations/1")["status"] == "open"


async def test_toggle_status_needs_a_status_to_snooze_until_a_time(sandbox) -> None:
    async with open_client(sandbox) as cw:
        with pytest.raises(ValueError, match="snoozed_until"):
            await cw.conversations.toggle_status(4, snoozed_until=int(time.time()))
    assert raw(sandbox, "conversations/4")["status"] == "open"


async def test_toggle_priority_sets_and_clears_the_priority(sandbox) -> None:
    async with open_client(sandbox) as cw:
        await cw.conversations.toggle_priority(4, "urgent")
        assert raw(sandbox, "conversations/4")["priority"] == "urgent"
        await cw.conversations.toggle_priority(4, None)
    assert raw(sandbox, "conversations/4")["priority"] is None


async def test_assign_agent_then_unassign(sandbox) -> None:
    bruno = sandbox.agent("agent", 0)
    async with open_client(sandbox) as cw:
        agent = await cw.conversations.assign_agent(4, bruno["id"])
        assert agent is not None and agent.id == bruno["id"] and agent.name == bruno["name"]
        assert raw(sandbox, "conversations/4")["meta"]["assignee"]["id"] == bruno["id"]
        assert await cw.conversations.assign_agent(4, None) is None
    assert raw(sandbox, "conversations/4")["meta"].get("assignee") is None


async def test_assign_team_then_clear_it_with_team_id_zero(sandbox) -> None:
    team = sandbox.info["teams"][0]
    async with open_client(sandbox) as cw:
        assigned = await cw.conversations.assign_team(4, team["id"])
        assert assigned is not None and assigned.name == team["name"]
        assert raw(sandbox, "conversations/4")["meta"]["team"]["id"] == team["id"]
        assert await cw.conversations.assign_team(3, None) is None
    assert raw(sandbox, "conversations/3")["meta"].get("team") is None
    body = [r["json"] for r in sandbox.control("GET", "requests") if r["path"].endswith("/3/assignments")]
    assert body == [{"team_id": 0}]


async def test_assign_agent_bot_replaces_the_human_assignee_and_keeps_the_status(sandbox) -> None:
    async with open_client(sandbox) as cw:
        bot = await cw.conversations.assign_agent_bot(3, sandbox.agent_bot_id)
        conv = await cw.conversations.get(3)
    assert bot.id == sandbox.agent_bot_id
    assert conv.meta.assignee_type == "AgentBot"
    assert conv.meta.assignee is not None and conv.meta.assignee.id == sandbox.agent_bot_id
    assert raw(sandbox, "conversations/3")["status"] == "open"


async def test_set_labels_replaces_the_whole_set(sandbox) -> None:
    async with open_client(sandbox) as cw:
        result = await cw.conversations.set_labels(3, ["vip", "entrega"])
    assert sorted(result) == ["entrega", "vip"]
    assert sorted(raw(sandbox, "conversations/3/labels")["payload"]) == ["entrega", "vip"]


async def test_messages_create_posts_an_outgoing_reply_with_source_and_echo_ids(sandbox) -> None:
    async with open_client(sandbox) as cw:
        message = await cw.messages.create(
            1, "Olá! Já verifico seu pedido.", source_id="bot:1001", echo_id="echo-1",
            content_attributes={"in_reply_to": 1001},
        )  # fmt: skip
    assert message.message_type == "outgoing"
    assert message.source_id == "bot:1001"
    assert message.echo_id == "echo-1"
    stored = raw(sandbox, "conversations/1/messages")["payload"][-1]
    assert stored["id"] == message.id
    assert stored["content"] == "Olá! Já verifico seu pedido."
    assert stored["source_id"] == "bot:1001"
    assert stored["private"] is False
    assert stored["message_type"] == 1


async def test_messages_create_private_note_and_incoming_message(sandbox) -> None:
    async with open_client(sandbox) as cw:
        note = await cw.messages.create(3, "Cliente já recebeu reembolso.", private=True)
        incoming = await cw.messages.create(3, "Mensagem do cliente", message_type="incoming")
    stored = {m["id"]: m for m in raw(sandbox, "conversations/3/messages")["payload"]}
    assert note.private is True and stored[note.id]["private"] is True
    assert incoming.message_type == "incoming" and stored[incoming.id]["message_type"] == 0


async def test_messages_create_by_the_bot_is_signed_by_the_bot(sandbox) -> None:
    async with open_client(sandbox, sandbox.bot_token) as cw:
        message = await cw.messages.create(1, "Sou a BIA.")
    assert message.sender is not None and message.sender.type == "agent_bot"


async def test_set_agent_bot_detaches_and_reattaches_the_inbox_bot(sandbox) -> None:
    inbox_id = sandbox.inbox("Site")["id"]
    async with open_client(sandbox) as cw:
        await cw.inboxes.set_agent_bot(inbox_id, None)
        assert await cw.inboxes.agent_bot(inbox_id) is None
        await cw.inboxes.set_agent_bot(inbox_id, sandbox.agent_bot_id)
        bot = await cw.inboxes.agent_bot(inbox_id)
    assert bot is not None and bot.id == sandbox.agent_bot_id


async def test_agent_bot_lifecycle_create_read_update_reset_secret_delete(sandbox) -> None:
    async with open_client(sandbox) as cw:
        bot = await cw.agent_bots.create(name="Triagem", outgoing_url="http://127.0.0.1:9/hook", description="x")
        assert bot.name == "Triagem" and bot.outgoing_url == "http://127.0.0.1:9/hook"
        assert bot.id in {b.id for b in await cw.agent_bots.list()}
        updated = await cw.agent_bots.update(bot.id, name="Triagem 2")
        assert updated.name == "Triagem 2" and (await cw.agent_bots.get(bot.id)).name == "Triagem 2"
        assert updated.outgoing_url == "http://127.0.0.1:9/hook"
        before = (await cw.agent_bots.get(bot.id)).secret
        rotated = await cw.agent_bots.reset_secret(bot.id)
        assert rotated.secret is not None and before is not None
        assert rotated.secret.get_secret_value() != before.get_secret_value()
        assert rotated.secret.get_secret_value() not in repr(rotated)
        await cw.agent_bots.delete(bot.id)
        with pytest.raises(NotFoundError):
            await cw.agent_bots.get(bot.id)
    assert bot.id not in {b["id"] for b in raw(sandbox, "agent_bots")}


async def test_webhook_lifecycle_create_list_update_delete(sandbox) -> None:
    async with open_client(sandbox) as cw:
        hook = await cw.webhooks.create(url="http://127.0.0.1:9/events", subscriptions=["message_created"], name="Bot")
        assert hook.url == "http://127.0.0.1:9/events" and hook.subscriptions == ["message_created"]
        assert hook.id in {h.id for h in await cw.webhooks.list()}
        changed = await cw.webhooks.update(hook.id, subscriptions=["message_created", "conversation_status_changed"])
        assert changed.subscriptions == ["message_created", "conversation_status_changed"]
        assert changed.url == hook.url
        await cw.webhooks.delete(hook.id)
        assert hook.id not in {h.id for h in await cw.webhooks.list()}
