"""Authentication and error bodies exactly as Chatwoot renders them (API-FACTS §2.1, §2.2)."""

from __future__ import annotations

import httpx2
import pytest

from tests.conftest import Sandbox


def _get(box: Sandbox, path: str, headers: dict[str, str]) -> httpx2.Response:
    return httpx2.get(f"{box.base_url}{path}", headers=headers, timeout=10)


def test_admin_lists_all_conversations_in_chatwoots_shape(sandbox: Sandbox) -> None:
    response = sandbox.api("GET", "conversations?status=all")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"data"}
    assert set(body["data"]) == {"meta", "payload"}
    assert set(body["data"]["meta"]) == {"mine_count", "assigned_count", "unassigned_count", "all_count"}
    assert body["data"]["meta"]["all_count"] == len(body["data"]["payload"]) == 6
    assert {c["status"] for c in body["data"]["payload"]} == {"open", "pending", "resolved", "snoozed"}


def test_bot_token_on_the_conversation_list_gets_chatwoots_exact_401(sandbox: Sandbox) -> None:
    response = sandbox.api("GET", "conversations?status=all", token=sandbox.bot_token)
    assert response.status_code == 401
    assert response.json() == {"error": "Access to this endpoint is not authorized for bots"}


def test_missing_token_gets_devises_sign_in_error(sandbox: Sandbox) -> None:
    response = _get(sandbox, "/api/v1/accounts/1/conversations", {})
    assert response.status_code == 401
    assert response.json() == {"errors": ["You need to sign in or sign up before continuing."]}


def test_unknown_token_is_an_invalid_access_token(sandbox: Sandbox) -> None:
    response = _get(sandbox, "/api/v1/accounts/1/conversations", {"api_access_token": "nope"})
    assert response.status_code == 401
    assert response.json() == {"error": "Invalid Access Token"}


def test_user_in_another_account_is_not_authorized_for_it(sandbox: Sandbox) -> None:
    response = _get(sandbox, "/api/v1/accounts/2/conversations", {"api_access_token": sandbox.admin_token})
    assert response.status_code == 401
    assert response.json() == {"error": "You are not authorized to access this account"}


def test_bot_in_another_account_is_not_authorized_for_it(sandbox: Sandbox) -> None:
    response = _get(sandbox, "/api/v1/accounts/2/conversations/1", {"api_access_token": sandbox.bot_token})
    assert response.status_code == 401
    assert response.json() == {"error": "Bot is not authorized to access this account"}


def test_account_that_does_not_exist_is_a_404(sandbox: Sandbox) -> None:
    response = _get(sandbox, "/api/v1/accounts/999/conversations", {"api_access_token": sandbox.admin_token})
    assert response.status_code == 404
    assert response.json() == {"error": "Resource could not be found"}


def test_unknown_conversation_is_resource_not_found(sandbox: Sandbox) -> None:
    response = sandbox.api("GET", "conversations/4242")
    assert response.status_code == 404
    assert response.json() == {"error": "Resource could not be found"}


def test_agent_cannot_see_a_conversation_of_an_inbox_they_are_not_in(sandbox: Sandbox) -> None:
    carla = sandbox.agent("agent", 1)
    site = sandbox.inbox("Site")
    state = sandbox.control("GET", "state")
    conv = next(c for c in state["conversations"] if c["inbox_id"] == site["id"] and c["assignee_id"] is None)
    response = sandbox.api("GET", f"conversations/{conv['id']}", token=carla["access_token"])
    assert response.status_code == 401
    assert response.json() == {"error": "You are not authorized to do this action"}
    listed = sandbox.api("GET", "conversations?status=all", token=carla["access_token"]).json()
    assert all(c["inbox_id"] != site["id"] for c in listed["data"]["payload"])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/profile"),
        ("GET", "/api/v1/accounts/1/inboxes"),
        ("GET", "/api/v1/accounts/1/conversations/meta"),
        ("GET", "/api/v1/accounts/1/conversations/1/messages"),
        ("GET", "/api/v1/accounts/1/agents"),
        ("GET", "/api/v1/accounts/1/teams"),
        ("GET", "/api/v1/accounts/1/contacts/search?q=a"),
        ("POST", "/api/v1/accounts/1/conversations/filter"),
    ],
)
def test_bot_token_is_refused_outside_the_allow_list(sandbox: Sandbox, method: str, path: str) -> None:
    response = httpx2.request(method, f"{sandbox.base_url}{path}", headers={"api_access_token": sandbox.bot_token})
    assert response.status_code == 401
    assert response.json() == {"error": "Access to this endpoint is not authorized for bots"}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "conversations/1", None),
        ("POST", "conversations/1/toggle_priority", {"priority": "low"}),
        ("POST", "conversations/1/messages", {"content": "oi"}),
        ("POST", "conversations/1/assignments", {"team_id": 1}),
        ("GET", "conversations/1/labels", None),
        ("POST", "conversations/1/labels", {"labels": ["a"]}),
        ("PATCH", "conversations/1", {"priority": "high"}),
        ("POST", "conversations/1/custom_attributes", {"custom_attributes": {"a": 1}}),
    ],
)
def test_bot_token_reaches_the_allow_listed_endpoints(
    sandbox: Sandbox, method: str, path: str, body: dict[str, object] | None
) -> None:
    response = sandbox.api(method, path, token=sandbox.bot_token, json=body)
    assert response.status_code == 200


def test_unknown_route_is_a_404(sandbox: Sandbox) -> None:
    response = sandbox.api("GET", "no_such_thing")
    assert response.status_code == 404
    assert sandbox.api("GET", "conversations/1/no_such_thing").status_code == 404


def test_contact_search_without_q_is_a_422_with_chatwoots_message(sandbox: Sandbox) -> None:
    response = sandbox.api("GET", "contacts/search?q=")
    assert response.status_code == 422
    assert response.json() == {"error": "Specify search string with parameter q"}


def test_invalid_priority_and_status_fail_like_rails_with_a_500(sandbox: Sandbox) -> None:
    assert sandbox.api("POST", "conversations/1/toggle_priority", json={"priority": "asap"}).status_code == 500
    response = sandbox.api("POST", "conversations/1/toggle_status", json={"status": "bot"})
    assert response.status_code == 500
    state = sandbox.control("GET", "state")
    conv = next(c for c in state["conversations"] if c["id"] == 1)
    assert conv["status"] == "pending" and conv["priority"] is None


def test_duplicate_webhook_url_is_a_record_invalid_422(sandbox: Sandbox) -> None:
    body = {"webhook": {"url": "https://example.com/hook", "subscriptions": ["message_created"]}}
    assert sandbox.api("POST", "webhooks", json=body).status_code == 200
    response = sandbox.api("POST", "webhooks", json=body)
    assert response.status_code == 422
    assert response.json() == {"message": "Url has already been taken", "attributes": ["url"]}


def test_unknown_message_type_is_a_422_error(sandbox: Sandbox) -> None:
    response = sandbox.api("POST", "conversations/1/messages", json={"content": "x", "message_type": "shout"})
    assert response.status_code == 422
    assert response.json() == {"error": "'shout' is not a valid message_type"}


def test_agent_cannot_manage_webhooks(sandbox: Sandbox) -> None:
    response = sandbox.api("GET", "webhooks", token=sandbox.agent_token)
    assert response.status_code == 401
    assert response.json() == {"error": "You are not authorized to do this action"}


def test_malformed_json_is_a_400_not_a_crash(sandbox: Sandbox) -> None:
    response = httpx2.post(
        f"{sandbox.base_url}/api/v1/accounts/1/conversations/1/messages",
        content=b"{oops",
        headers={"content-type": "application/json", "api_access_token": sandbox.admin_token},
    )
    assert response.status_code == 400
    assert sandbox.api("GET", "conversations/1").status_code == 200
