"""Ports of spec/controllers/api/v1/accounts/inboxes_controller_spec.rb over HTTP."""

from __future__ import annotations

import pytest

from tests.conftest import Sandbox

from .support import SITE, WHATSAPP, anonymous, detach_bot
from .support import token as tok


def _inbox_bot(box: Sandbox, inbox_id: int) -> int | None:
    return next(i for i in box.control("GET", "state")["inboxes"] if i["id"] == inbox_id)["agent_bot_id"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "inboxes"), ("GET", "inboxes/1"), ("GET", "inboxes/1/agent_bot"), ("POST", "inboxes/1/set_agent_bot")],
)
def test_returns_unauthorized(sandbox: Sandbox, method: str, path: str) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns unauthorized' (index, show,
    agent_bot, set_agent_bot)."""
    response = anonymous(sandbox, method, path, json={"agent_bot": None} if method == "POST" else None)
    assert response.status_code == 401
    assert _inbox_bot(sandbox, WHATSAPP) == sandbox.agent_bot_id


def test_returns_all_inboxes_of_current_account_as_administrator(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns all inboxes of current_account as
    administrator'."""
    response = sandbox.api("GET", "inboxes")
    assert response.status_code == 200
    assert len(response.json()["payload"]) == len(sandbox.control("GET", "state")["inboxes"]) == 2


def test_returns_only_assigned_inboxes_of_current_account_as_agent(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns only assigned inboxes of
    current_account as agent'."""
    response = sandbox.api("GET", "inboxes", token=tok(sandbox, "carla"))
    assert response.status_code == 200
    assert [i["id"] for i in response.json()["payload"]] == [WHATSAPP]


def test_returns_unauthorized_for_an_agent_who_is_not_assigned(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns unauthorized for an agent who is not
    assigned'."""
    response = sandbox.api("GET", f"inboxes/{SITE}", token=tok(sandbox, "carla"))
    assert response.status_code == 401


def test_returns_the_inbox_if_administrator(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns the inbox if administrator'."""
    response = sandbox.api("GET", f"inboxes/{SITE}")
    assert response.status_code == 200 and response.json()["id"] == SITE


@pytest.mark.parametrize(("agent", "inbox_id"), [("bruno", SITE), ("carla", WHATSAPP)])
def test_returns_the_inbox_if_assigned_inbox_is_assigned_as_agent(sandbox: Sandbox, agent: str, inbox_id: int) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns the inbox if assigned inbox is
    assigned as agent' and it 'fetch API inbox without hmac token when agent' (every sandbox inbox is an API
    inbox)."""
    response = sandbox.api("GET", f"inboxes/{inbox_id}", token=tok(sandbox, agent))
    assert response.status_code == 200
    assert response.json()["id"] == inbox_id and response.json().get("hmac_token") is None
    assert sandbox.api("GET", f"inboxes/{inbox_id}").json()["hmac_token"]  # the administrator does see it


def test_returns_empty_when_no_agent_bot_is_present(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns empty when no agent bot is
    present'."""
    detach_bot(sandbox, SITE)
    response = sandbox.api("GET", f"inboxes/{SITE}/agent_bot", token=tok(sandbox, "bruno"))
    assert response.status_code == 200
    assert not response.json()["agent_bot"]


def test_returns_the_agent_bot_attached_to_the_inbox(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns the agent bot attached to the
    inbox'."""
    response = sandbox.api("GET", f"inboxes/{SITE}/agent_bot", token=tok(sandbox, "bruno"))
    assert response.status_code == 200
    assert response.json()["agent_bot"]["name"] == "BIA"


def test_sets_the_agent_bot(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'sets the agent bot'."""
    bot = sandbox.api("POST", "agent_bots", json={"name": "Outro robô"}).json()
    response = sandbox.api("POST", f"inboxes/{SITE}/set_agent_bot", json={"agent_bot": bot["id"]})
    assert response.status_code == 200
    assert _inbox_bot(sandbox, SITE) == bot["id"]


def test_throw_error_when_invalid_agent_bot_id(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'throw error when invalid agent bot id'."""
    response = sandbox.api("POST", f"inboxes/{SITE}/set_agent_bot", json={"agent_bot": 0})
    assert response.status_code == 404
    assert _inbox_bot(sandbox, SITE) == sandbox.agent_bot_id


def test_disconnects_the_agent_bot(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'disconnects the agent bot'."""
    response = sandbox.api("POST", f"inboxes/{SITE}/set_agent_bot", json={"agent_bot": None})
    assert response.status_code == 200
    assert _inbox_bot(sandbox, SITE) is None


def test_will_not_update_agent_bot_when_its_an_agent(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'will not update agent bot when its an
    agent'."""
    response = sandbox.api(
        "POST", f"inboxes/{SITE}/set_agent_bot", token=tok(sandbox, "bruno"), json={"agent_bot": None}
    )
    assert response.status_code == 401
    assert _inbox_bot(sandbox, SITE) == sandbox.agent_bot_id
