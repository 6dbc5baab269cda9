"""Two people take over (or return) the same conversation at the same moment: exactly one wins."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp_types import CallToolResult
from pydantic import SecretStr

from chatwoot_mcp.client.models import Message
from chatwoot_mcp.server import build_server, texts
from chatwoot_mcp.server.tools.claims import parse_claim
from tests.conftest import REPO, Sandbox
from tests.server.conftest import (
    conversation,
    error_text_unchecked,
    messages,
    sandbox_settings,
)

pytestmark = pytest.mark.anyio

TRIALS = 20


def stdio_params(sandbox: Sandbox, token: str, tmp_path: Path) -> StdioServerParameters:
    credentials = tmp_path / "credentials.toml"
    credentials.write_text("", encoding="utf-8")
    env = {
        "CHATWOOT_URL": sandbox.base_url,
        "CHATWOOT_API_TOKEN": token,
        "CHATWOOT_ACCOUNT_ID": str(sandbox.account_id),
        "CHATWOOT_CREDENTIALS_FILE": str(credentials),
    }
    return StdioServerParameters(command=sys.executable, args=["-m", "chatwoot_mcp"], env=env, cwd=str(REPO))


def new_bot_conversation(sandbox: Sandbox) -> int:
    created = sandbox.api("POST", "conversations", json={"inbox_id": sandbox.inbox("WhatsApp")["id"], "contact_id": 11})
    assert created.status_code == 200, created.text
    assert created.json()["status"] == "pending"
    return int(created.json()["id"])


async def both_at_once(first: Any, second: Any) -> list[Any]:
    results: list[Any] = [None, None]

    async def run(index: int, call: Any) -> None:
        results[index] = await call()

    async with anyio.create_task_group() as group:
        group.start_soon(run, 0, first)
        group.start_soon(run, 1, second)
    return results


def notices(sandbox: Sandbox, conversation_id: int, text: str) -> int:
    return sum(1 for m in messages(sandbox, conversation_id) if m["content"] == text and not m["private"])


async def test_two_agents_in_two_processes_taking_over_at_once_leave_one_winner(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    admin, agent = sandbox.agent("administrator"), sandbox.agent("agent")
    errlog = (tmp_path / "stderr.log").open("w", encoding="utf-8")
    people = {admin["id"]: admin["name"], agent["id"]: agent["name"]}
    wins = {admin["id"]: 0, agent["id"]: 0}
    raced = 0  # trials where both got past the ownership check and the claims decided
    async with (
        Client(stdio_client(stdio_params(sandbox, sandbox.admin_token, tmp_path), errlog=errlog)) as by_admin,
        Client(stdio_client(stdio_params(sandbox, sandbox.agent_token, tmp_path), errlog=errlog)) as by_agent,
    ):
        for _ in range(TRIALS):
            target = new_bot_conversation(sandbox)

            def take(client: Client) -> Any:
                return lambda: client.call_tool("chatwoot_take_over", {"conversation_id": target})

            results: list[CallToolResult] = await both_at_once(take(by_admin), take(by_agent))
            winners = [i for i, result in enumerate(results) if not result.is_error]
            assert len(winners) == 1, [error_text_unchecked(r) or r.structured_content for r in results]
            winner_id = (admin["id"], agent["id"])[winners[0]]
            loser = results[1 - winners[0]]
            refusal = error_text_unchecked(loser)
            assert f"by {people[winner_id]} (agent {winner_id})" in refusal, refusal
            raced += "at the same moment" in refusal
            state = conversation(sandbox, target)
            assert state["status"] == "open" and state["meta"]["assignee"]["id"] == winner_id
            assert notices(sandbox, target, texts.TAKEOVER_MESSAGE) == 1
            wins[winner_id] += 1
    errlog.close()
    assert sum(wins.values()) == TRIALS
    print(f"wins {wins}, decided by the claims in {raced} of {TRIALS}")


async def test_two_returns_to_the_bot_at_once_send_one_notice(sandbox: Sandbox) -> None:
    returned = texts.return_message(None, "BIA")
    for _ in range(5):
        target = new_bot_conversation(sandbox)
        sandbox.api("POST", f"conversations/{target}/toggle_status", json={"status": "open"}).raise_for_status()
        sandbox.api("POST", f"conversations/{target}/assignments", json={"assignee_id": sandbox.agent()["id"]})
        admin = build_server(sandbox_settings(sandbox))
        agent = build_server(sandbox_settings(sandbox, api_token=SecretStr(sandbox.agent_token)))
        async with Client(admin) as first, Client(agent) as second:

            def back(client: Client) -> Any:
                return lambda: client.call_tool("chatwoot_return_to_bot", {"conversation_id": target})

            results: list[CallToolResult] = await both_at_once(back(first), back(second))
        assert not any(result.is_error for result in results)
        assert sorted(bool(r.structured_content and r.structured_content["notified"]) for r in results) == [False, True]
        state = conversation(sandbox, target)
        assert state["status"] == "pending" and state["meta"].get("assignee") is None
        assert notices(sandbox, target, returned) == 1


def test_only_a_private_note_with_a_well_formed_source_counts_as_a_claim() -> None:
    def message(source: str | None, *, private: bool = True) -> Message:
        return Message(id=7, message_type="outgoing", private=private, source_id=source, content="x")

    claim = parse_claim(message("handoff-claim:take:3:abc"))
    assert claim is not None and (claim.kind, claim.person_id, claim.message_id) == ("take", 3, 7)
    returned = parse_claim(message("handoff-claim:return:-:abc"))
    assert returned is not None and returned.kind == "return" and returned.person_id is None
    assert parse_claim(message("handoff-claim:take:3:abc", private=False)) is None  # a customer-visible message
    assert parse_claim(message("handoff-claim:steal:3:abc")) is None
    assert parse_claim(message("handoff-claim:take:3")) is None
    assert parse_claim(message("bot:12")) is None and parse_claim(message(None)) is None
