"""A conversation's participants (chatwoot_mcp/sandbox/api_participants.py), as
app/controllers/api/v1/accounts/conversations/participants_controller.rb answers: agents rendered with the agent
partial, `create` answering only those it added, `update` making the list the participants, `destroy` head :ok."""

from __future__ import annotations

import httpx2

from tests.conftest import Sandbox
from tests.sandbox.rspec.support import user_id


def _ids(response: httpx2.Response) -> list[int]:
    return [p["id"] for p in response.json()]


def test_participants_are_added_replaced_and_removed(sandbox: Sandbox) -> None:
    path = "conversations/3/participants"
    bruno, carla = user_id("bruno"), user_id("carla")
    assert sandbox.api("GET", path).json() == []
    added = sandbox.api("POST", path, json={"user_ids": [bruno, 999]})
    assert added.status_code == 200 and _ids(added) == [bruno]
    assert added.json()[0]["role"] == "agent" and added.json()[0]["account_id"] == sandbox.account_id
    assert _ids(sandbox.api("POST", path, json={"user_ids": [bruno, carla]})) == [carla]
    assert _ids(sandbox.api("PATCH", path, json={"user_ids": [carla, user_id("admin")]})) == [carla, user_id("admin")]
    removed = sandbox.api("DELETE", path, json={"user_ids": [carla]})
    assert removed.status_code == 200 and removed.content == b""
    assert _ids(sandbox.api("GET", path)) == [user_id("admin")]


def test_participants_refuse_bad_requests(sandbox: Sandbox) -> None:
    missing = sandbox.api("POST", "conversations/3/participants", json={})
    assert missing.status_code == 422
    assert missing.json() == {"error": "param is missing or the value is empty: user_ids"}
    bot = sandbox.api("GET", "conversations/3/participants", token=sandbox.bot_token)
    assert bot.status_code == 401
    assert sandbox.api("GET", "conversations/999/participants").status_code == 404
