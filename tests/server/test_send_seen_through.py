"""send_message's `seen_through`: the caller already read the messages up to an id, so only newer ones are searched
for an earlier copy of the idempotency key, and none at all when the owner check shows nothing newer."""

from __future__ import annotations

import pytest
from mcp import Client

from chatwoot_mcp.config import Settings
from chatwoot_mcp.server import build_server
from tests.conftest import Sandbox
from tests.server.conftest import call, messages

pytestmark = pytest.mark.anyio


def message_reads(sandbox: Sandbox, conversation_id: int) -> list[dict]:
    path = f"/api/v1/accounts/1/conversations/{conversation_id}/messages"
    return [r for r in sandbox.control("GET", "requests") if r["method"] == "GET" and r["path"] == path]


async def test_nothing_newer_than_seen_through_posts_without_reading_the_messages(
    settings: Settings, sandbox: Sandbox
) -> None:
    newest = messages(sandbox, 1)[-1]["id"]
    sandbox.control("DELETE", "requests")
    async with Client(build_server(settings)) as client:
        reply = {"conversation_id": 1, "content": "Já verifico!", "expect_owner": "bot", "idempotency_key": "bot:5"}
        result = await call(client, "chatwoot_send_message", seen_through=newest, **reply)
    assert message_reads(sandbox, 1) == []
    assert result["duplicate"] is False and messages(sandbox, 1)[-1]["source_id"] == "bot:5"


async def test_a_copy_posted_after_seen_through_is_found(settings: Settings, sandbox: Sandbox) -> None:
    seen = messages(sandbox, 1)[-1]["id"]
    reply = {"conversation_id": 1, "content": "Já verifico!", "expect_owner": "bot", "idempotency_key": "bot:6"}
    async with Client(build_server(settings)) as client:
        first = await call(client, "chatwoot_send_message", **reply)
        await call(client, "chatwoot_send_message", conversation_id=1, content="nota", private=True)
        sandbox.control("DELETE", "requests")
        again = await call(client, "chatwoot_send_message", seen_through=seen, **reply)
    assert [r["query"] for r in message_reads(sandbox, 1)] == [{"after": str(seen)}]
    assert again["duplicate"] is True and again["message"]["id"] == first["message"]["id"]
    assert len([m for m in messages(sandbox, 1) if m.get("source_id") == "bot:6"]) == 1


async def test_without_expect_owner_the_newer_messages_are_read(settings: Settings, sandbox: Sandbox) -> None:
    seen = messages(sandbox, 2)[-1]["id"]
    reply = {"conversation_id": 2, "content": "R$ 15", "idempotency_key": "bot:7"}
    async with Client(build_server(settings)) as client:
        first = await call(client, "chatwoot_send_message", **reply)
        again = await call(client, "chatwoot_send_message", seen_through=seen, **reply)
    assert again["duplicate"] is True and again["message"]["id"] == first["message"]["id"]
