"""Errors carry the cause, method, path, status and Chatwoot's own text, in one short sentence, and never a token."""

from __future__ import annotations

import logging

import pytest

from chatwoot_mcp.client import (
    APIStatusError,
    AuthenticationError,
    ChatwootClient,
    ChatwootError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    UnexpectedResponseError,
    UnprocessableError,
)

from .helpers import fault, open_client, raw

pytestmark = pytest.mark.anyio


async def test_an_unknown_conversation_is_not_found_with_chatwoots_text(sandbox) -> None:
    async with open_client(sandbox) as cw:
        with pytest.raises(NotFoundError) as caught:
            await cw.conversations.get(99)
    error = caught.value
    assert str(error) == "GET /api/v1/accounts/1/conversations/99 → 404: Resource could not be found"
    assert (error.method, error.path, error.status) == ("GET", "/api/v1/accounts/1/conversations/99", 404)
    assert error.error_text == "Resource could not be found"
    assert isinstance(error, APIStatusError) and isinstance(error, ChatwootError)


async def test_the_bot_token_on_a_list_endpoint_is_an_authentication_error(sandbox) -> None:
    async with open_client(sandbox, sandbox.bot_token) as cw:
        with pytest.raises(AuthenticationError) as caught:
            await cw.conversations.list()
    assert caught.value.status == 401
    assert caught.value.error_text == "Access to this endpoint is not authorized for bots"
    assert "Access to this endpoint is not authorized for bots" in str(caught.value)


async def test_a_wrong_token_is_an_authentication_error_that_does_not_repeat_the_token(sandbox, caplog) -> None:
    wrong = "wrong-token-Zq81xx"
    caplog.set_level(logging.DEBUG, logger="chatwoot_mcp.client")
    async with open_client(sandbox, wrong) as cw:
        with pytest.raises(AuthenticationError) as caught:
            await cw.profile.get()
    assert caught.value.error_text == "Invalid Access Token"
    assert wrong not in str(caught.value) + repr(caught.value) + caplog.text


async def test_an_invalid_filter_is_unprocessable_with_chatwoots_error(sandbox) -> None:
    rows = [{"attribute_key": "no_such_attribute", "filter_operator": "equal_to", "values": ["x"]}]
    async with open_client(sandbox) as cw:
        with pytest.raises(UnprocessableError) as caught:
            await cw.conversations.filter(rows)
    assert caught.value.status == 422
    assert caught.value.error_text


async def test_a_record_invalid_body_gives_its_message(sandbox) -> None:
    body = {"message": "Name can't be blank", "attributes": ["name"]}
    fault(sandbox, "POST", r"/api/v1/accounts/1/agent_bots", 422, body=body)
    async with open_client(sandbox) as cw:
        with pytest.raises(UnprocessableError) as caught:
            await cw.agent_bots.create(name="")
    assert caught.value.error_text == "Name can't be blank"


async def test_a_devise_errors_list_is_joined_into_the_error_text(sandbox) -> None:
    body = {"errors": ["You need to sign in or sign up before continuing."]}
    fault(sandbox, "GET", r"/api/v1/profile", 401, body=body)
    async with open_client(sandbox) as cw:
        with pytest.raises(AuthenticationError) as caught:
            await cw.profile.get()
    assert caught.value.error_text == "You need to sign in or sign up before continuing."


async def test_a_403_is_permission_denied(sandbox) -> None:
    body = {"error": "Message status update is only allowed for API inboxes"}
    fault(sandbox, "GET", r"/api/v1/accounts/1/inboxes", 403, body=body)
    async with open_client(sandbox) as cw:
        with pytest.raises(PermissionDeniedError) as caught:
            await cw.inboxes.list()
    assert caught.value.status == 403 and caught.value.error_text == body["error"]


async def test_a_2xx_body_of_the_wrong_shape_is_an_unexpected_response(sandbox) -> None:
    fault(sandbox, "GET", r"/api/v1/accounts/1/teams", 200, body={"surprise": True})
    async with open_client(sandbox) as cw:
        with pytest.raises(UnexpectedResponseError) as caught:
            await cw.teams.list()
    assert caught.value.path == "/api/v1/accounts/1/teams"


async def test_a_2xx_body_that_is_not_json_is_an_unexpected_response(sandbox) -> None:
    fault(sandbox, "GET", r"/api/v1/accounts/1/agents", 200, body="<html>maintenance</html>")
    async with open_client(sandbox) as cw:
        with pytest.raises(UnexpectedResponseError, match="not JSON") as caught:
            await cw.agents.list()
    assert caught.value.status == 200


async def test_a_server_error_keeps_chatwoots_text_and_is_a_server_error(sandbox) -> None:
    fault(sandbox, "POST", r"/api/v1/accounts/1/conversations/4/toggle_priority", 500, body="Internal Server Error")
    async with open_client(sandbox) as cw:
        with pytest.raises(ServerError) as caught:
            await cw.conversations.toggle_priority(4, "high")
    assert str(caught.value) == "POST /api/v1/accounts/1/conversations/4/toggle_priority → 500: Internal Server Error"
    assert raw(sandbox, "conversations/4")["priority"] is None


async def test_bad_ids_are_refused_before_any_request(sandbox) -> None:
    sandbox.control("DELETE", "requests")
    async with open_client(sandbox) as cw:
        for bad in (0, -1, "7", 1.5, True, None):
            with pytest.raises(ValueError, match="conversation_id"):
                await cw.conversations.get(bad)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="labels"):
            await cw.conversations.set_labels(3, "vip")
        with pytest.raises(ValueError, match="q"):
            await cw.contacts.search("  ")
    assert sandbox.control("GET", "requests") == []


def test_the_constructor_refuses_bad_settings_without_echoing_the_token() -> None:
    with pytest.raises(ValueError, match="base_url"):
        ChatwootClient("chatwoot.local", "tok", 1)
    with pytest.raises(ValueError, match="api_token"):
        ChatwootClient("http://x", "", 1)
    with pytest.raises(ValueError, match="account_id") as caught:
        ChatwootClient("http://x", "sekrit-token-value", 0)
    assert "sekrit-token-value" not in str(caught.value)
