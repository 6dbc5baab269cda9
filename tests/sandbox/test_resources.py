"""Agent bots and account webhooks management, with secrets shown to administrators only."""

from __future__ import annotations

from tests.conftest import Sandbox


def test_agent_bot_crud_and_token_and_secret_resets(sandbox: Sandbox) -> None:
    created = sandbox.api("POST", "agent_bots", json={"name": "Robô 2", "outgoing_url": "https://example.com/b"})
    assert created.status_code == 200
    bot = created.json()
    assert bot["access_token"] and bot["secret"] and bot["bot_type"] == "webhook" and bot["system_bot"] is False
    updated = sandbox.api("PATCH", f"agent_bots/{bot['id']}", json={"description": "segundo"}).json()
    assert updated["description"] == "segundo" and updated["name"] == "Robô 2"
    token = sandbox.api("POST", f"agent_bots/{bot['id']}/reset_access_token").json()["access_token"]
    secret = sandbox.api("POST", f"agent_bots/{bot['id']}/reset_secret").json()["secret"]
    assert token != bot["access_token"] and secret != bot["secret"]
    assert sandbox.api("GET", "conversations/1", token=token).status_code == 200  # the new token works
    assert sandbox.api("GET", "conversations/1", token=bot["access_token"]).status_code == 401
    assert sandbox.api("DELETE", f"agent_bots/{bot['id']}").status_code == 200
    assert sandbox.api("GET", f"agent_bots/{bot['id']}").status_code == 404


def test_agents_see_bots_without_secrets_and_cannot_create_them(sandbox: Sandbox) -> None:
    listed = sandbox.api("GET", "agent_bots", token=sandbox.agent_token).json()
    assert [b["name"] for b in listed] == ["BIA"] and "secret" not in listed[0]
    refused = sandbox.api("POST", "agent_bots", token=sandbox.agent_token, json={"name": "x"})
    assert refused.status_code == 401


def test_agent_bot_without_a_name_is_a_record_invalid(sandbox: Sandbox) -> None:
    response = sandbox.api("POST", "agent_bots", json={"outgoing_url": "https://example.com"})
    assert response.status_code == 422
    assert response.json() == {"message": "Name can't be blank", "attributes": ["name"]}


def test_webhook_update_and_delete(sandbox: Sandbox) -> None:
    created = sandbox.api(
        "POST", "webhooks", json={"webhook": {"url": "https://example.com/a", "subscriptions": ["message_created"]}}
    ).json()["payload"]["webhook"]
    updated = sandbox.api(
        "PATCH",
        f"webhooks/{created['id']}",
        json={"webhook": {"subscriptions": ["message_created", "conversation_updated"]}},
    ).json()["payload"]["webhook"]
    assert updated["subscriptions"] == ["message_created", "conversation_updated"]
    assert updated["secret"] == created["secret"]
    bad = sandbox.api("PATCH", f"webhooks/{created['id']}", json={"webhook": {"subscriptions": ["nope"]}})
    assert bad.status_code == 422
    assert sandbox.api("DELETE", f"webhooks/{created['id']}").status_code == 200
    assert sandbox.api("GET", "webhooks").json() == {"payload": {"webhooks": []}}


def test_inbox_agent_bot_is_the_connected_bot(sandbox: Sandbox) -> None:
    site = sandbox.inbox("Site")["id"]
    body = sandbox.api("GET", f"inboxes/{site}/agent_bot").json()
    assert body["agent_bot"]["id"] == sandbox.agent_bot_id


def test_new_conversation_in_an_unknown_inbox_is_a_404(sandbox: Sandbox) -> None:
    response = sandbox.api("POST", "conversations", json={"inbox_id": 99, "contact_id": 11})
    assert response.status_code == 404
    assert response.json() == {"error": "Resource could not be found"}
