"""The read tools, in memory through mcp.Client against the sandbox."""

from __future__ import annotations

import pytest
from mcp import Client

from chatwoot_mcp.config import Settings
from chatwoot_mcp.server import build_server
from tests.conftest import Sandbox
from tests.server.conftest import call, fail

pytestmark = pytest.mark.anyio


async def test_list_conversations_without_status_lists_open_ones_with_their_owner(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_list_conversations")
    owners = {item["id"]: item["owner"] for item in result["items"]}
    assert set(owners.values()) <= {"human", "queue"}
    assert "human" in owners.values() and "queue" in owners.values()
    assert all(item["status"] == "open" for item in result["items"])
    assert result["page"] == 1 and result["next_page"] is None
    assert result["counts"]["all"] == len(result["items"])


async def test_status_bot_lists_the_bots_pending_conversations(settings: Settings, sandbox: Sandbox) -> None:
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_list_conversations", status="bot")
    pending = sandbox.api("GET", "conversations", params={"status": "pending"}).json()["data"]["payload"]
    expected = {c["id"] for c in pending}
    assert {item["id"] for item in result["items"]} == expected
    assert expected
    for item in result["items"]:
        assert item["owner"] == "bot"
        assert "assignee" not in item  # left out while at its default, null
        assert item["contact"]["name"]
        assert item["last_message"]


async def test_fields_at_their_schema_default_are_left_out_of_results(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        result = await call(client, "chatwoot_list_conversations", status="bot")
    item_schema = tools["chatwoot_list_conversations"].output_schema["properties"]["items"]["items"]
    for item in result["items"]:
        for name, field in item_schema["properties"].items():
            if name not in item:
                assert name not in item_schema.get("required", []) and "default" in field, name
        assert "team" not in item and "last_message_truncated" not in item and item["last_message"]


async def test_status_all_derives_every_owner_kind(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_list_conversations", status="all")
    by_status = {(item["status"], item["owner"]) for item in result["items"]}
    assert ("pending", "bot") in by_status
    assert ("open", "human") in by_status
    assert ("open", "queue") in by_status
    assert ("resolved", "closed") in by_status
    assert ("snoozed", "snoozed") in by_status


async def test_assignee_type_unassigned_drops_assigned_conversations(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_list_conversations", status="all", assignee_type="unassigned")
    assert result["items"]
    assert all(item.get("assignee") is None for item in result["items"])


async def test_human_conversation_shows_assignee_team_labels_and_priority(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_list_conversations", status="human", assignee_type="assigned")
    item = next(i for i in result["items"] if i.get("team"))
    assert item["owner"] == "human"
    assert item["assignee"].get("type", "user") == "user" and item["assignee"]["name"]
    assert item["team"]["name"] == "Humanos"
    assert item["labels"] == ["reclamacao"]
    assert item["priority"] == "high"


async def test_query_searches_message_text_whatever_the_status(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_list_conversations", query="Campinas")
    assert [item["status"] for item in result["items"]] == ["pending"]


async def test_unknown_team_filter_names_the_team_and_the_next_step(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_list_conversations", team_id=999)
    assert "team 999 was not found" in text
    assert "chatwoot_list_teams" in text


async def test_list_conversations_makes_one_request(settings: Settings, sandbox: Sandbox) -> None:
    sandbox.control("DELETE", "requests")
    async with Client(build_server(settings)) as client:
        await call(client, "chatwoot_list_conversations", status="bot")
    requests = sandbox.control("GET", "requests")
    assert [(r["method"], r["path"]) for r in requests] == [("GET", "/api/v1/accounts/1/conversations")]


async def test_get_conversation_returns_owner_and_latest_messages_in_order(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_get_conversation", conversation_id=2)
    assert result["owner"] == "bot"
    contents = [m["content"] for m in result["messages"]]
    assert contents[0] == "Vocês entregam em Campinas?"
    assert contents[-1] == "E qual o valor do frete?"
    assert [m["type"] for m in result["messages"]] == ["incoming", "outgoing", "incoming"]
    ids = [m["id"] for m in result["messages"]]
    assert ids == sorted(ids)


async def test_get_conversation_that_does_not_exist_says_what_to_do(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_get_conversation", conversation_id=9999)
    assert "conversation 9999 was not found in account 1" in text
    assert "list conversations" in text


async def test_list_messages_pages_backwards_with_before(settings: Settings, sandbox: Sandbox) -> None:
    for index in range(25):
        sandbox.api("POST", "conversations/1/messages", json={"content": f"msg {index}", "private": True})
    async with Client(build_server(settings)) as client:
        latest = await call(client, "chatwoot_list_messages", conversation_id=1)
        assert len(latest["items"]) == 20
        assert latest["items"][-1]["content"] == "msg 24"
        older = await call(client, "chatwoot_list_messages", conversation_id=1, before=latest["older_before"])
        newer = await call(client, "chatwoot_list_messages", conversation_id=1, after=latest["items"][0]["id"])
    assert older["items"][-1]["id"] < latest["items"][0]["id"]
    assert older["items"][0]["content"] == "Olá! Preciso de ajuda com meu pedido #1029"
    assert older["older_before"] is None
    assert [m["id"] for m in newer["items"]] == [m["id"] for m in latest["items"][1:]]
    assert all(m["private"] for m in latest["items"])


async def test_list_messages_rejects_after_not_below_before(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_list_messages", conversation_id=1, before=5, after=9)
    assert "`after` (9) must be lower than `before` (5)" in text


async def test_list_inboxes_says_which_inboxes_have_a_bot(settings: Settings, sandbox: Sandbox) -> None:
    sandbox.api("POST", f"inboxes/{sandbox.inbox('Site')['id']}/set_agent_bot", json={"agent_bot": None})
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_list_inboxes")
    bots = {item["name"]: item["bot_connected"] for item in result["items"]}
    assert bots == {"WhatsApp": True, "Site": False}
    whatsapp = next(item for item in result["items"] if item["name"] == "WhatsApp")
    assert whatsapp["bot_name"] == "BIA"


async def test_list_agents_and_teams_return_small_views(settings: Settings, sandbox: Sandbox) -> None:
    async with Client(build_server(settings)) as client:
        agents = await call(client, "chatwoot_list_agents")
        teams = await call(client, "chatwoot_list_teams")
    assert {a["id"]: a["role"] for a in agents["items"]} == {a["id"]: a["role"] for a in sandbox.info["agents"]}
    assert set(agents["items"][0]) == {"id", "name", "email", "role", "availability"}
    assert [t["name"] for t in teams["items"]] == ["Humanos"]


async def test_search_contacts_finds_by_name_and_phone(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        by_name = await call(client, "chatwoot_search_contacts", query="Maria")
        by_phone = await call(client, "chatwoot_search_contacts", query="5521998765432")
        nobody = await call(client, "chatwoot_search_contacts", query="Zé Ninguém")
    assert [c["name"] for c in by_name["items"]] == ["Maria Silva"]
    assert [c["name"] for c in by_phone["items"]] == ["João Santos"]
    assert nobody["items"] == [] and nobody["next_page"] is None


async def test_search_contacts_with_an_empty_query_gets_a_validation_message(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_search_contacts", query="")
    assert "query" in text and "at least 1 character" in text


async def test_search_contacts_with_a_blank_query_says_so_instead_of_blaming_the_server(settings: Settings) -> None:
    async with Client(build_server(settings)) as client:
        text = await fail(client, "chatwoot_search_contacts", query="   ")
    assert "query is blank" in text
    assert "a bug" not in text


async def test_assignee_id_lists_one_agents_conversations_through_chatwoots_filter(
    settings: Settings, sandbox: Sandbox
) -> None:
    agent = sandbox.agent("agent", 0)
    async with Client(build_server(settings)) as client:
        every = await call(client, "chatwoot_list_conversations", status="all", assignee_id=agent["id"])
        open_only = await call(client, "chatwoot_list_conversations", assignee_id=agent["id"])
        message = await fail(client, "chatwoot_list_conversations", assignee_id=agent["id"], query="pedido")
    expected = {c["id"] for c in sandbox.control("GET", "state")["conversations"] if c["assignee_id"] == agent["id"]}
    assert expected and {item["id"] for item in every["items"]} == expected
    assert all(item["assignee"]["id"] == agent["id"] for item in every["items"])
    assert all(item["status"] == "open" for item in open_only["items"])
    assert every["counts"]["all"] == len(expected) and every["next_page"] is None
    assert "cannot be combined" in message
    filters = [r for r in sandbox.control("GET", "requests") if r["path"].endswith("/conversations/filter")]
    assert filters and filters[-1]["token"] == "admin"
