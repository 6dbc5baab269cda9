"""chatwoot_hand_off: note, team, open; as the AgentBot when its token is configured; repeats add nothing."""

from __future__ import annotations

import pytest
from mcp import Client

from chatwoot_mcp.server import build_server, texts
from tests.conftest import Sandbox
from tests.server.conftest import call, conversation, messages, sandbox_settings

pytestmark = pytest.mark.anyio


def posts(sandbox: Sandbox) -> list[tuple[str, str]]:
    return [
        (r["path"].rsplit("/", 1)[-1], r["token"]) for r in sandbox.control("GET", "requests") if r["method"] == "POST"
    ]


async def test_hand_off_as_the_bot_opens_in_the_human_team_with_a_note(sandbox: Sandbox) -> None:
    sandbox.control("DELETE", "requests")
    settings = sandbox_settings(sandbox, human_team_id=1)
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_hand_off", conversation_id=1, reason="Cliente pediu um humano.")
    state = conversation(sandbox, 1)
    assert state["status"] == "open" and state["meta"]["team"]["id"] == 1
    assert "assignee" not in state["meta"]
    note = messages(sandbox, 1)[-1]
    assert note["content"] == "Cliente pediu um humano." and note["private"] is True
    assert note["sender"]["type"] == "agent_bot"
    # toggle_status with the bot's token on a pending conversation is Chatwoot's bot handoff (reported).
    assert posts(sandbox) == [("messages", "bot"), ("assignments", "bot"), ("toggle_status", "bot")]
    assert result["as_bot"] and result["changed"] and result["note_added"] and not result["notified"]
    assert result["conversation"]["owner"] == "queue"


async def test_a_repeated_hand_off_with_its_key_adds_no_second_note_or_notice(sandbox: Sandbox) -> None:
    settings = sandbox_settings(sandbox)
    arguments = {"conversation_id": 2, "reason": "Fora do escopo.", "notify": True, "idempotency_key": "bot:9:handoff"}
    async with Client(build_server(settings)) as client:
        first = await call(client, "chatwoot_hand_off", **arguments)
        again = await call(client, "chatwoot_hand_off", **arguments)
    visible = [m for m in messages(sandbox, 2) if m["content"] == texts.TAKEOVER_MESSAGE]
    notes = [m for m in messages(sandbox, 2) if m["content"] == "Fora do escopo."]
    assert len(visible) == 1 and len(notes) == 1 and notes[0]["private"]
    assert first["changed"] and first["notified"]
    assert not again["changed"] and not again["notified"] and not again["note_added"]
    assert "nothing new" in again["detail"]


async def test_hand_off_without_a_bot_token_uses_the_users_token(sandbox: Sandbox) -> None:
    sandbox.control("DELETE", "requests")
    settings = sandbox_settings(sandbox, bot_token=None)
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_hand_off", conversation_id=1, reason="Sem token do bot.", team_id=1)
    assert posts(sandbox) == [("messages", "admin"), ("assignments", "admin"), ("toggle_status", "admin")]
    assert not result["as_bot"] and conversation(sandbox, 1)["status"] == "open"


async def test_hand_off_of_a_conversation_a_person_owns_keeps_its_status_and_team(sandbox: Sandbox) -> None:
    before = conversation(sandbox, 3)
    settings = sandbox_settings(sandbox, human_team_id=1)
    async with Client(build_server(settings)) as client:
        result = await call(client, "chatwoot_hand_off", conversation_id=3, reason="Precisa de revisão.")
    after = conversation(sandbox, 3)
    assert after["status"] == before["status"] == "open"
    assert after["meta"]["assignee"]["id"] == before["meta"]["assignee"]["id"]
    assert messages(sandbox, 3)[-1]["content"] == "Precisa de revisão."
    assert "status was kept" in result["detail"]
