"""Ports of spec/controllers/api/v1/accounts/conversations_controller_spec.rb, over HTTP against the sandbox."""

from __future__ import annotations

import pytest

from tests.conftest import Sandbox

from .support import (
    SITE,
    SITE_PENDING,
    anonymous,
    detach_bot,
    new_conversation,
    state_conv,
    user_id,
)
from .support import token as tok


def _open_in_inboxes_of(box: Sandbox, member: int) -> list[dict]:
    state = box.control("GET", "state")
    inbox_ids = {i["id"] for i in state["inboxes"] if member in i["member_ids"]}
    return [c for c in state["conversations"] if c["inbox_id"] in inbox_ids and c["status"] == "open"]


def _say(box: Sandbox, display_id: int, content: str, kind: str = "outgoing", token: str | None = None) -> dict:
    response = box.api(
        "POST", f"conversations/{display_id}/messages", token=token, json={"content": content, "message_type": kind}
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "conversations"),
        ("GET", "conversations/meta"),
        ("GET", "conversations/search?q=test"),
        ("POST", "conversations/filter"),
        ("GET", "conversations/1"),
        ("PATCH", "conversations/1"),
        ("POST", "conversations"),
        ("POST", "conversations/1/toggle_status"),
        ("POST", "conversations/1/toggle_priority"),
        ("POST", "conversations/1/toggle_typing_status"),
        ("POST", "conversations/1/custom_attributes"),
    ],
)
def test_returns_unauthorized(sandbox: Sandbox, method: str, path: str) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'returns unauthorized', in each
    describe of an endpoint the sandbox has (index, meta, search, filter, show, PATCH, create, toggle_status,
    toggle_priority, toggle_typing_status, custom_attributes)."""
    response = anonymous(sandbox, method, path, json={"source_id": "x"} if method != "GET" else None)
    assert response.status_code == 401
    assert response.json() == {"errors": ["You need to sign in or sign up before continuing."]}


# ---- GET /conversations ---------------------------------------------------------------------------


def test_returns_all_conversations_with_messages(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'returns all conversations with
    messages'."""
    detach_bot(sandbox, SITE)
    conv = new_conversation(sandbox)
    message = _say(sandbox, conv["id"], "olá")
    response = sandbox.api("GET", "conversations", token=tok(sandbox, "bruno"))
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["meta"]["all_count"] == len(_open_in_inboxes_of(sandbox, user_id("bruno")))
    assert {"all_count", "mine_count", "assigned_count", "unassigned_count"} <= set(body["data"]["meta"])
    mine = next(c for c in body["data"]["payload"] if c["id"] == conv["id"])
    assert mine["uuid"] == conv["uuid"]
    assert mine["messages"][0]["id"] == message["id"]


def test_returns_conversations_with_empty_messages_array_for_conversations_with_out_messages(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'returns conversations with empty
    messages array for conversations with out messages'."""
    detach_bot(sandbox, SITE)
    conv = new_conversation(sandbox)
    response = sandbox.api("GET", "conversations", token=tok(sandbox, "bruno"))
    assert response.status_code == 200
    assert response.json()["data"]["meta"]["all_count"] == len(_open_in_inboxes_of(sandbox, user_id("bruno")))
    assert next(c for c in response.json()["data"]["payload"] if c["id"] == conv["id"])["messages"] == []


def test_returns_unattended_conversations(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'returns unattended conversations'
    (`conversation_type=unattended`: no first reply yet, or a customer waiting since the last reply)."""
    detach_bot(sandbox, SITE)
    attended = new_conversation(sandbox)
    _say(sandbox, attended["id"], "oi", "incoming")
    _say(sandbox, attended["id"], "resposta")
    no_first_reply = new_conversation(sandbox, contact_id=12)
    waiting = new_conversation(sandbox, contact_id=13)
    _say(sandbox, waiting["id"], "resposta")
    _say(sandbox, waiting["id"], "e agora?", "incoming")
    response = sandbox.api(
        "GET", "conversations", token=tok(sandbox, "bruno"), params={"conversation_type": "unattended"}
    )
    assert response.status_code == 200
    expected = {
        c["id"]
        for c in _open_in_inboxes_of(sandbox, user_id("bruno"))
        if c["first_reply_created_at"] is None or c["waiting_since"] is not None
    }
    assert {no_first_reply["id"], waiting["id"]} <= expected and attended["id"] not in expected
    body = response.json()["data"]
    assert body["meta"]["all_count"] == len(expected)
    assert {c["id"] for c in body["payload"]} == expected


# ---- meta, search, filter -------------------------------------------------------------------------


def test_returns_all_conversations_counts(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'returns all conversations counts'."""
    response = sandbox.api("GET", "conversations/meta", token=tok(sandbox, "bruno"))
    assert response.status_code == 200
    meta = response.json()["meta"]
    assert {"all_count", "mine_count", "assigned_count", "unassigned_count"} <= set(meta)
    assert meta["all_count"] == len(_open_in_inboxes_of(sandbox, user_id("bruno")))


def test_returns_all_conversations_with_messages_containing_the_search_query(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'returns all conversations with
    messages containing the search query'."""
    conv = new_conversation(sandbox)
    _say(sandbox, conv["id"], "test1")
    _say(sandbox, conv["id"], "test2")
    response = sandbox.api("GET", "conversations/search", token=tok(sandbox, "bruno"), params={"q": "test1"})
    assert response.status_code == 200
    body = response.json()
    assert body["meta"]["all_count"] == 1
    assert body["payload"][0]["messages"][0]["content"] == "test1"


def test_returns_all_conversations_matching_the_query(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'returns all conversations matching
    the query'."""
    payload = [{"attribute_key": "status", "filter_operator": "equal_to", "values": ["open"]}]
    response = sandbox.api("POST", "conversations/filter", token=tok(sandbox, "bruno"), json={"payload": payload})
    assert response.status_code == 200
    body = response.json()
    assert len(body) == 2 and set(body) == {"meta", "payload"}
    assert {c["id"] for c in body["payload"]} == {c["id"] for c in _open_in_inboxes_of(sandbox, user_id("bruno"))}


def test_returns_error_if_the_filters_contain_invalid_attributes(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'returns error if the filters contain
    invalid attributes'."""
    payload = [{"attribute_key": "phone_number", "filter_operator": "equal_to", "values": ["open"]}]
    response = sandbox.api("POST", "conversations/filter", token=tok(sandbox, "bruno"), json={"payload": payload})
    assert response.status_code == 422
    assert "Invalid attribute key - [phone_number]" in response.json()["error"]


def test_returns_error_if_the_filters_contain_invalid_operator(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'returns error if the filters contain
    invalid operator'."""
    payload = [{"attribute_key": "status", "filter_operator": "eq", "values": ["open"]}]
    response = sandbox.api("POST", "conversations/filter", token=tok(sandbox, "bruno"), json={"payload": payload})
    assert response.status_code == 422
    assert response.json()["error"] == "Invalid operator. The allowed operators for status are [equal_to,not_equal_to]."


# ---- show and update ------------------------------------------------------------------------------


def test_does_not_shows_the_conversation_if_you_do_not_have_access_to_it(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'does not shows the conversation if
    you do not have access to it'."""
    response = sandbox.api("GET", f"conversations/{SITE_PENDING}", token=tok(sandbox, "carla"))
    assert response.status_code == 401
    assert response.json() == {"error": "You are not authorized to do this action"}


def test_shows_the_conversation_if_you_are_an_administrator(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'shows the conversation if you are an
    administrator'."""
    response = sandbox.api("GET", f"conversations/{SITE_PENDING}")
    assert response.status_code == 200 and response.json()["id"] == SITE_PENDING


def test_shows_the_conversation_if_you_are_an_agent_with_access_to_inbox(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'shows the conversation if you are an
    agent with access to inbox'."""
    response = sandbox.api("GET", f"conversations/{SITE_PENDING}", token=tok(sandbox, "bruno"))
    assert response.status_code == 200 and response.json()["id"] == SITE_PENDING


def test_does_not_update_the_conversation_if_you_do_not_have_access_to_it(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'does not update the conversation if
    you do not have access to it'."""
    response = sandbox.api(
        "PATCH", f"conversations/{SITE_PENDING}", token=tok(sandbox, "carla"), json={"priority": "high"}
    )
    assert response.status_code == 401
    assert state_conv(sandbox, SITE_PENDING)["priority"] is None


def test_updates_the_conversation_if_you_are_an_administrator(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'updates the conversation if you are
    an administrator'."""
    response = sandbox.api("PATCH", f"conversations/{SITE_PENDING}", json={"priority": "high"})
    assert response.status_code == 200 and response.json()["priority"] == "high"


def test_updates_the_conversation_if_you_are_an_agent_with_access_to_inbox(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'updates the conversation if you are
    an agent with access to inbox'."""
    response = sandbox.api(
        "PATCH", f"conversations/{SITE_PENDING}", token=tok(sandbox, "bruno"), json={"priority": "high"}
    )
    assert response.status_code == 200 and response.json()["priority"] == "high"
    assert state_conv(sandbox, SITE_PENDING)["priority"] == "high"


# ---- create -----------------------------------------------------------------------------------------


def test_will_not_create_a_new_conversation_if_agent_does_not_have_access_to_inbox(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'will not create a new conversation
    if agent does not have access to inbox' (only `source_id` names the contact inbox)."""
    source_id = state_conv(sandbox, SITE_PENDING)["source_id"]
    before = len(sandbox.control("GET", "state")["conversations"])
    response = sandbox.api(
        "POST",
        "conversations",
        token=tok(sandbox, "carla"),
        json={"source_id": source_id, "additional_attributes": {"test": "test"}},
    )
    assert response.status_code == 401
    assert len(sandbox.control("GET", "state")["conversations"]) == before


def test_creates_a_new_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'creates a new conversation'."""
    source_id = state_conv(sandbox, SITE_PENDING)["source_id"]
    response = sandbox.api(
        "POST",
        "conversations",
        token=tok(sandbox, "bruno"),
        json={"source_id": source_id, "additional_attributes": {"test": "test"}},
    )
    assert response.status_code == 200
    assert response.json()["additional_attributes"] == {"test": "test"}
    assert state_conv(sandbox, response.json()["id"])["source_id"] == source_id


def test_does_not_create_a_new_conversation_if_source_id_is_not_unique(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'does not create a new conversation
    if source_id is not unique' (the source id belongs to another contact of the inbox)."""
    taken = state_conv(sandbox, SITE_PENDING)
    before = len(sandbox.control("GET", "state")["conversations"])
    response = sandbox.api(
        "POST",
        "conversations",
        token=tok(sandbox, "bruno"),
        json={"source_id": taken["source_id"], "inbox_id": SITE, "contact_id": 16},
    )
    assert response.status_code == 422
    assert response.json() == {"error": "source_id should be unique"}
    assert len(sandbox.control("GET", "state")["conversations"]) == before


def test_creates_a_conversation_in_specificed_status(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'creates a conversation in specificed
    status' (in an inbox without a bot, where the status given is kept)."""
    detach_bot(sandbox, SITE)
    source_id = state_conv(sandbox, SITE_PENDING)["source_id"]
    response = sandbox.api(
        "POST", "conversations", token=tok(sandbox, "bruno"), json={"source_id": source_id, "status": "pending"}
    )
    assert response.status_code == 200 and response.json()["status"] == "pending"
    other = sandbox.api(
        "POST", "conversations", token=tok(sandbox, "bruno"), json={"source_id": source_id, "status": "snoozed"}
    )
    assert other.json()["status"] == "snoozed"


def test_creates_a_new_conversation_with_message_when_message_is_passed(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'creates a new conversation with
    message when message is passed'."""
    source_id = state_conv(sandbox, SITE_PENDING)["source_id"]
    response = sandbox.api(
        "POST",
        "conversations",
        token=tok(sandbox, "bruno"),
        json={"source_id": source_id, "message": {"content": "hi"}},
    )
    assert response.status_code == 200
    assert response.json()["additional_attributes"] == {}
    messages = state_conv(sandbox, response.json()["id"])["messages"]
    assert [m["content"] for m in messages if m["message_type"] == "outgoing"][0] == "hi"


def test_creates_a_new_conversation_with_assignee_and_team(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'creates a new conversation with
    assignee and team'."""
    source_id = state_conv(sandbox, SITE_PENDING)["source_id"]
    response = sandbox.api(
        "POST",
        "conversations",
        token=tok(sandbox, "bruno"),
        json={"source_id": source_id, "contact_id": 12, "inbox_id": SITE, "assignee_id": 2, "team_id": 1},
    )
    assert response.status_code == 200
    meta = response.json()["meta"]
    assert meta["assignee"]["name"] == "Bruno Agente" and meta["team"]["name"] == "Humanos"
