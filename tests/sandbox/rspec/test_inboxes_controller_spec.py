"""Ports of spec/controllers/api/v1/accounts/inboxes_controller_spec.rb over HTTP."""

from __future__ import annotations

import pytest

from tests.conftest import Sandbox

from .support import SITE, WHATSAPP, anonymous, detach_bot, other_account
from .support import token as tok

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32  # the bytes do not matter, the content type does


def _inbox_bot(box: Sandbox, inbox_id: int) -> int | None:
    return next(i for i in box.control("GET", "state")["inboxes"] if i["id"] == inbox_id)["agent_bot_id"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "inboxes"),
        ("GET", "inboxes/1"),
        ("GET", "inboxes/1/agent_bot"),
        ("POST", "inboxes/1/set_agent_bot"),
        ("GET", "inboxes/1/campaigns"),
        ("DELETE", "inboxes/1/avatar"),
        ("DELETE", "inboxes/1"),
        ("POST", "inboxes"),
        ("PATCH", "inboxes/1"),
        ("POST", "inboxes/1/sync_templates"),
        ("GET", "inboxes/1/health"),
    ],
)
def test_returns_unauthorized(sandbox: Sandbox, method: str, path: str) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns unauthorized' (index, show,
    agent_bot, set_agent_bot, campaigns, avatar, destroy, create, update, sync_templates, health): nothing changes."""
    before = sandbox.control("GET", "state")["inboxes"]
    response = anonymous(sandbox, method, path, json={"agent_bot": None, "name": "X"} if method != "GET" else None)
    assert response.status_code == 401
    assert response.json() == {"errors": ["You need to sign in or sign up before continuing."]}
    assert sandbox.control("GET", "state")["inboxes"] == before
    assert sandbox.api("GET", f"inboxes/{WHATSAPP}").json()["name"] == "WhatsApp"


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


def test_returns_unauthorized_for_assignable_agents(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns unauthorized' (GET
    assignable_agents)."""
    assert anonymous(sandbox, "GET", f"inboxes/{SITE}/assignable_agents").status_code == 401


def test_returns_all_assignable_inbox_members_along_with_administrators(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns all assignable inbox members along
    with administrators' (Site: its one agent, Bruno, and the administrator)."""
    response = sandbox.api("GET", f"inboxes/{SITE}/assignable_agents")
    assert response.status_code == 200
    payload = response.json()["payload"]
    assert len(payload) == 2
    assert {"agent", "administrator"} <= {agent["role"] for agent in payload}


# ---- campaigns, avatar, destroy, sync_templates, health (chatwoot_mcp/sandbox/api_inboxes.py) -------------------


def test_returns_unauthorized_for_agents(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns unauthorized for agents' (GET
    campaigns; Bruno is a member of Site, the administrator sees the inbox's campaigns, none)."""
    response = sandbox.api("GET", f"inboxes/{SITE}/campaigns", token=tok(sandbox, "bruno"))
    assert response.status_code == 401
    assert response.json() == {"error": "You are not authorized to do this action"}
    assert sandbox.api("GET", f"inboxes/{SITE}/campaigns").json() == []


def _widget_campaign(box: Sandbox) -> tuple[int, int]:
    """`create(:campaign, account: account, trigger_rules: { url: 'https://test.com' })`: the factory's inbox is a
    website; the inbox id and the campaign's display id."""
    channel = {"type": "web_widget", "website_url": "https://test.com"}
    inbox = box.api("POST", "inboxes", json={"name": "Loja", "channel": channel})
    assert inbox.status_code == 200, inbox.text
    body = {"title": "Oferta", "message": "Olá!", "inbox_id": inbox.json()["id"]}
    created = box.api("POST", "campaigns", json={"campaign": {**body, "trigger_rules": {"url": "https://test.com"}}})
    assert created.status_code == 200, created.text
    return inbox.json()["id"], created.json()["id"]


def test_returns_all_campaigns_belonging_to_the_inbox_to_administrators(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns all campaigns belonging to the
    inbox to administrators' (a random campaign of another inbox is left out)."""
    inbox_id, display_id = _widget_campaign(sandbox)
    _widget_campaign(sandbox)
    response = sandbox.api("GET", f"inboxes/{inbox_id}/campaigns")
    assert response.status_code == 200
    body = response.json()
    assert body[0]["id"] == display_id
    assert len(body) == 1


def _with_avatar(box: Sandbox, inbox_id: int) -> str:
    response = box.api("PATCH", f"inboxes/{inbox_id}", files={"avatar": ("avatar.png", PNG, "image/png")})
    assert response.status_code == 200, response.text
    return response.json()["avatar_url"]


def test_delete_inbox_avatar_for_administrator_user(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'delete inbox avatar for administrator
    user'."""
    assert _with_avatar(sandbox, SITE)
    response = sandbox.api("DELETE", f"inboxes/{SITE}/avatar")
    assert response.status_code == 200 and response.content == b""
    assert sandbox.api("GET", f"inboxes/{SITE}").json()["avatar_url"] == ""


def test_returns_unauthorized_for_agent_user(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns unauthorized for agent user'
    (DELETE avatar, by a member of the inbox)."""
    url = _with_avatar(sandbox, SITE)
    response = sandbox.api("DELETE", f"inboxes/{SITE}/avatar", token=tok(sandbox, "bruno"))
    assert response.status_code == 401
    assert sandbox.api("GET", f"inboxes/{SITE}").json()["avatar_url"] == url


def test_deletes_inbox(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'deletes inbox' (DeleteObjectJob runs at
    once in the sandbox: the inbox and its conversations are gone; tests/sandbox/test_inboxes.py checks the rest)."""
    site_convs = [c["id"] for c in sandbox.control("GET", "state")["conversations"] if c["inbox_id"] == SITE]
    assert site_convs
    response = sandbox.api("DELETE", f"inboxes/{SITE}")
    assert response.status_code == 200
    assert response.json() == {"message": "Your inbox deletion request will be processed in some time."}
    assert sandbox.api("GET", f"inboxes/{SITE}").status_code == 404
    state = sandbox.control("GET", "state")
    assert [i["id"] for i in state["inboxes"]] == [WHATSAPP]
    assert not [c for c in state["conversations"] if c["id"] in site_convs]


def test_is_unable_to_delete_inbox_of_another_account(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'is unable to delete inbox of another
    account'."""
    created = other_account(sandbox, "POST", "inboxes", json={"name": "Outra", "channel": {"type": "api"}})
    assert created.status_code == 200, created.text
    other_id = created.json()["id"]
    response = sandbox.api("DELETE", f"inboxes/{other_id}")
    assert response.status_code == 404
    assert other_account(sandbox, "GET", f"inboxes/{other_id}").status_code == 200


def test_does_not_allow_binding_an_agent_bot_from_another_account(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'does not allow binding an agent bot from
    another account' (the spec's inbox has no bot: the Site inbox's BIA is detached first)."""
    detach_bot(sandbox, SITE)
    foreign = other_account(sandbox, "POST", "agent_bots", json={"name": "Robô de fora"})
    assert foreign.status_code == 200, foreign.text
    response = sandbox.api("POST", f"inboxes/{SITE}/set_agent_bot", json={"agent_bot": foreign.json()["id"]})
    assert response.status_code == 404
    assert _inbox_bot(sandbox, SITE) is None


def test_is_unable_to_delete_inbox_as_agent(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'is unable to delete inbox as agent' (a
    member of the inbox)."""
    response = sandbox.api("DELETE", f"inboxes/{SITE}", token=tok(sandbox, "bruno"))
    assert response.status_code == 401
    assert sandbox.api("GET", f"inboxes/{SITE}").status_code == 200


def test_returns_unauthorized_for_agent(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns unauthorized for agent'
    (sync_templates; even for a member of the inbox)."""
    response = sandbox.api("POST", f"inboxes/{SITE}/sync_templates", token=tok(sandbox, "bruno"))
    assert response.status_code == 401
    assert response.json() == {"error": "You are not authorized to do this action"}


def test_returns_unprocessable_entity_error(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns unprocessable entity error'
    (sync_templates on an API inbox)."""
    response = sandbox.api("POST", f"inboxes/{SITE}/sync_templates")
    assert response.status_code == 422
    assert response.json() == {"error": "Template sync is only available for WhatsApp channels"}


@pytest.mark.parametrize(("method", "action"), [("POST", "sync_templates"), ("GET", "health")])
def test_returns_not_found_error(sandbox: Sandbox, method: str, action: str) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns not found error' (sync_templates
    and health of inbox 999999)."""
    response = sandbox.api(method, f"inboxes/999999/{action}")
    assert response.status_code == 404
    assert response.json() == {"error": "Resource could not be found"}


@pytest.mark.parametrize("who", ["admin", "bruno"])
def test_returns_bad_request_error_for_administrator(sandbox: Sandbox, who: str) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns bad request error for
    administrator' and it 'returns bad request error for agent' (an API inbox has no health data; Bruno is a
    member of Site)."""
    response = sandbox.api("GET", f"inboxes/{SITE}/health", token=tok(sandbox, who))
    assert response.status_code == 400
    assert response.json() == {"error": "Health data only available for WhatsApp Cloud API and Twilio SMS channels"}


def test_returns_unauthorized_for_agent_without_inbox_access(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns unauthorized for agent without
    inbox access' (GET health; Carla is not a member of Site, and fetch_inbox's show? comes first)."""
    response = sandbox.api("GET", f"inboxes/{SITE}/health", token=tok(sandbox, "carla"))
    assert response.status_code == 401
