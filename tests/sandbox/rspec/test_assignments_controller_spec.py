"""Ports of spec/controllers/api/v1/accounts/conversations/assignments_controller_spec.rb over HTTP."""

from __future__ import annotations

import httpx2

from tests.conftest import Sandbox

from .support import WHATSAPP, account_request, anonymous, new_conversation, other_account, state_conv, user_id
from .support import token as tok


def test_returns_unauthorized(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/assignments_controller_spec.rb: it 'returns unauthorized'
    (no token)."""
    response = anonymous(sandbox, "POST", "conversations/1/assignments", json={"assignee_id": 2})
    assert response.status_code == 401
    assert state_conv(sandbox, 1)["assignee_id"] is None


def test_returns_unauthorized_for_a_bot_without_access_to_the_inbox(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/assignments_controller_spec.rb: it 'returns unauthorized' (a
    bot with out access to the inbox; the spec's `create(:agent_bot)` belongs to no account and sits in none of the
    account's inboxes, so EnsureCurrentAccountHelper refuses it: a bot of the second account, in none of them either,
    takes the same branch)."""
    foreign = other_account(sandbox, "POST", "agent_bots", json={"name": "Robô de fora"})
    assert foreign.status_code == 200, foreign.text
    response = sandbox.api(
        "POST",
        "conversations/1/assignments",
        token=foreign.json()["access_token"],
        json={"assignee_id": user_id("bruno")},
    )
    assert response.status_code == 401
    assert response.json() == {"error": "Bot is not authorized to access this account"}
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


def _restrict(box: Sandbox) -> None:
    """`account.update!(settings: account.settings.merge('restrict_conversation_reassignment' => true))`, through
    PATCH /accounts/:id as an administrator."""
    response = account_request(box, "PATCH", json={"restrict_conversation_reassignment": True})
    assert response.status_code == 200, response.text
    assert response.json()["settings"]["restrict_conversation_reassignment"] is True


def test_returns_unauthorized_when_an_agent_tries_to_reassign_the_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/assignments_controller_spec.rb: it 'returns unauthorized when
    an agent tries to reassign the conversation' (conversation 4, unassigned; Bruno names Carla)."""
    _restrict(sandbox)
    response = sandbox.api(
        "POST", "conversations/4/assignments", token=tok(sandbox, "bruno"), json={"assignee_id": user_id("carla")}
    )
    assert response.status_code == 401
    assert response.json() == {"error": "You are not authorized to do this action"}
    assert state_conv(sandbox, 4)["assignee_id"] is None


def test_allows_an_administrator_to_reassign_the_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/assignments_controller_spec.rb: it 'allows an administrator to
    reassign the conversation' (conversation 3 is the administrator's; she gives it to Bruno)."""
    _restrict(sandbox)
    response = sandbox.api("POST", "conversations/3/assignments", json={"assignee_id": user_id("bruno")})
    assert response.status_code == 200, response.text
    assert state_conv(sandbox, 3)["assignee_id"] == user_id("bruno")


def test_allows_an_agent_to_self_assign_an_unassigned_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/assignments_controller_spec.rb: it 'allows an agent to
    self-assign an unassigned conversation'."""
    _restrict(sandbox)
    conv = state_conv(sandbox, 4)
    assert conv["assignee_id"] is None and conv["assignee_agent_bot_id"] is None
    response = sandbox.api(
        "POST", "conversations/4/assignments", token=tok(sandbox, "bruno"), json={"assignee_id": user_id("bruno")}
    )
    assert response.status_code == 200, response.text
    assert state_conv(sandbox, 4)["assignee_id"] == user_id("bruno")


def test_blocks_an_agent_from_self_assigning_a_bot_owned_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/assignments_controller_spec.rb: it 'blocks an agent from
    self-assigning a bot-owned conversation' (the administrator gives conversation 4 to the bot first)."""
    given = sandbox.api(
        "POST", "conversations/4/assignments", json={"assignee_id": sandbox.agent_bot_id, "assignee_type": "AgentBot"}
    )
    assert given.status_code == 200, given.text
    _restrict(sandbox)
    response = sandbox.api(
        "POST", "conversations/4/assignments", token=tok(sandbox, "bruno"), json={"assignee_id": user_id("bruno")}
    )
    assert response.status_code == 401
    conv = state_conv(sandbox, 4)
    assert conv["assignee_id"] is None and conv["assignee_agent_bot_id"] == sandbox.agent_bot_id


def test_assigns_a_team_to_the_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/assignments_controller_spec.rb: it 'assigns a team to the
    conversation' (the team member is Bruno, made `auto_offline: false` through PATCH /profile/auto_offline; Carla,
    of the inbox but not the team, posts the team)."""
    conv = new_conversation(sandbox, WHATSAPP, 11)["id"]
    assert state_conv(sandbox, conv)["assignee_id"] is None
    online = httpx2.patch(
        f"{sandbox.base_url}/api/v1/profile/auto_offline",
        headers={"api_access_token": tok(sandbox, "bruno")},
        json={"profile": {"account_id": sandbox.account_id, "auto_offline": False}},
        timeout=10,
    )
    assert online.status_code == 200, online.text
    response = sandbox.api(
        "POST", f"conversations/{conv}/assignments", token=tok(sandbox, "carla"), json={"team_id": 1}
    )
    assert response.status_code == 200, response.text
    after = state_conv(sandbox, conv)
    assert after["team_id"] == 1 and after["assignee_id"] == user_id("bruno")
