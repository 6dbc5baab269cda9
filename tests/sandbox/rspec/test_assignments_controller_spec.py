"""Ports of spec/controllers/api/v1/accounts/conversations/assignments_controller_spec.rb over HTTP."""

from __future__ import annotations

from tests.conftest import Sandbox

from .support import anonymous, state_conv, user_id
from .support import token as tok


def test_returns_unauthorized(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/assignments_controller_spec.rb: it 'returns unauthorized'
    (no token)."""
    response = anonymous(sandbox, "POST", "conversations/1/assignments", json={"assignee_id": 2})
    assert response.status_code == 401
    assert state_conv(sandbox, 1)["assignee_id"] is None


def test_assigns_a_user_to_the_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/assignments_controller_spec.rb: it 'assigns a user to the
    conversation'."""
    response = sandbox.api(
        "POST", "conversations/1/assignments", token=tok(sandbox, "bruno"), json={"assignee_id": user_id("bruno")}
    )
    assert response.status_code == 200
    assert state_conv(sandbox, 1)["assignee_id"] == user_id("bruno")


def test_assigns_an_agent_bot_to_the_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/assignments_controller_spec.rb: it 'assigns an agent bot to
    the conversation'."""
    response = sandbox.api(
        "POST",
        "conversations/3/assignments",
        token=tok(sandbox, "bruno"),
        json={"assignee_id": sandbox.agent_bot_id, "assignee_type": "AgentBot"},
    )
    assert response.status_code == 200
    assert response.json()["name"] == "BIA"
    conv = state_conv(sandbox, 3)
    assert conv["assignee_agent_bot_id"] == sandbox.agent_bot_id and conv["assignee_id"] is None


def test_assignment_of_an_agent_in_the_conversation_by_bot_agent(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/assignments_controller_spec.rb: it 'assignment of an agent in
    the conversation by bot agent'."""
    response = sandbox.api(
        "POST", "conversations/1/assignments", token=sandbox.bot_token, json={"assignee_id": user_id("bruno")}
    )
    assert response.status_code == 200
    assert state_conv(sandbox, 1)["assignee_id"] == user_id("bruno")


def test_assignment_of_an_team_in_the_conversation_by_bot_agent(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/assignments_controller_spec.rb: it 'assignment of an team in
    the conversation by bot agent'."""
    response = sandbox.api("POST", "conversations/1/assignments", token=sandbox.bot_token, json={"team_id": 1})
    assert response.status_code == 200
    assert state_conv(sandbox, 1)["team_id"] == 1


def test_unassigns_the_assignee_from_the_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/assignments_controller_spec.rb: it 'unassigns the assignee
    from the conversation' (and the activity message Chatwoot's job writes)."""
    sandbox.api("POST", "conversations/1/assignments", json={"assignee_id": user_id("bruno")})
    response = sandbox.api(
        "POST", "conversations/1/assignments", token=tok(sandbox, "bruno"), json={"assignee_id": None}
    )
    assert response.status_code == 200
    conv = state_conv(sandbox, 1)
    assert conv["assignee_id"] is None
    assert conv["messages"][-1] == {
        **conv["messages"][-1],
        "message_type": "activity",
        "content": "Conversation unassigned by Bruno Agente",
    }


def test_unassigns_the_team_from_the_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/assignments_controller_spec.rb: it 'unassigns the team from
    the conversation'."""
    assert state_conv(sandbox, 3)["team_id"] == 1
    response = sandbox.api("POST", "conversations/3/assignments", token=tok(sandbox, "bruno"), json={"team_id": 0})
    assert response.status_code == 200
    assert state_conv(sandbox, 3)["team_id"] is None
