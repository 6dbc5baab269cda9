"""Who a console signs in as and what it offers: the profile, assignable agents, team members, account labels and
canned responses (profiles_controller.rb and models/_user.json.jbuilder, inboxes_controller.rb#assignable_agents
and Inbox#assignable_agents, teams/team_members_controller.rb and TeamMemberPolicy, labels_controller.rb,
LabelPolicy and models/_label.json.jbuilder, canned_responses_controller.rb and CannedResponsePolicy)."""

from __future__ import annotations

import httpx2

from tests.conftest import Sandbox

AGENT_KEYS = {
    "id",
    "account_id",
    "availability_status",
    "auto_offline",
    "confirmed",
    "email",
    "provider",
    "available_name",
    "name",
    "role",
    "thumbnail",
    "custom_role_id",
}


def test_profile_says_who_the_token_belongs_to_with_role_and_accounts(sandbox: Sandbox) -> None:
    agent = sandbox.api("GET", "../../profile", token=sandbox.agent_token)
    assert agent.status_code == 200
    body = agent.json()
    assert (body["id"], body["name"], body["role"], body["account_id"]) == (2, "Bruno Agente", "agent", 1)
    assert body["type"] is None and "custom_attributes" not in body  # STI type of a plain user; no attributes set
    assert body["accounts"] == [
        {
            "id": 1,
            "name": "Acme Suporte",
            "status": "active",
            "onboarding_step": "completed",
            "active_at": body["accounts"][0]["active_at"],
            "role": "agent",
            "permissions": ["agent"],
            "availability": "online",
            "availability_status": "online",
            "auto_offline": True,
            "custom_role_id": None,
            "custom_role": None,
        }
    ]
    admin = sandbox.api("GET", "../../profile").json()
    assert admin["role"] == "administrator" and admin["accounts"][0]["permissions"] == ["administrator"]
    assert sandbox.api("GET", "../../profile", token=sandbox.bot_token).status_code == 401
    assert sandbox.api("GET", "../../profile", token="nao-existe").json() == {"error": "Invalid Access Token"}


def test_assignable_agents_are_the_inbox_members_then_the_administrators(sandbox: Sandbox) -> None:
    site, whatsapp = sandbox.inbox("Site")["id"], sandbox.inbox("WhatsApp")["id"]
    body = sandbox.api("GET", f"inboxes/{site}/assignable_agents").json()
    assert [a["id"] for a in body["payload"]] == [2, 1]  # Bruno (member), then Ana (administrator)
    assert set(body["payload"][0]) == AGENT_KEYS
    members = sandbox.api("GET", f"inboxes/{whatsapp}/assignable_agents", token=sandbox.agent_token).json()
    assert [a["id"] for a in members["payload"]] == [2, 3, 1]
    carla = sandbox.agent("agent", 1)["access_token"]
    assert sandbox.api("GET", f"inboxes/{site}/assignable_agents", token=carla).status_code == 401
    assert sandbox.api("GET", "inboxes/99/assignable_agents").status_code == 404
    assert sandbox.api("GET", f"inboxes/{site}/assignable_agents", token=sandbox.bot_token).status_code == 401


def test_team_members_are_agent_objects_for_any_user_of_the_account(sandbox: Sandbox) -> None:
    members = sandbox.api("GET", "teams/1/team_members", token=sandbox.agent_token)
    assert members.status_code == 200
    assert [(a["id"], a["name"], a["role"]) for a in members.json()] == [(2, "Bruno Agente", "agent")]
    assert set(members.json()[0]) == AGENT_KEYS
    assert sandbox.api("GET", "teams/9/team_members").json() == {"error": "Resource could not be found"}
    assert sandbox.api("GET", "teams/1/team_members", token=sandbox.bot_token).status_code == 401


def test_account_labels_list_and_show(sandbox: Sandbox) -> None:
    labels = sandbox.api("GET", "labels", token=sandbox.agent_token).json()["payload"]
    assert [x["title"] for x in labels] == ["reclamacao", "entrega", "vip", "pagamento"]
    assert set(labels[0]) == {"id", "title", "description", "color", "show_on_sidebar"}
    assert sandbox.api("GET", f"labels/{labels[2]['id']}").json()["title"] == "vip"
    agent_show = sandbox.api("GET", f"labels/{labels[2]['id']}", token=sandbox.agent_token)  # LabelPolicy#show?
    assert agent_show.status_code == 401 and agent_show.json() == {"error": "You are not authorized to do this action"}
    assert sandbox.api("GET", "labels/99").status_code == 404
    assert sandbox.api("GET", "labels", token=sandbox.bot_token).status_code == 401


def test_canned_responses_list_and_search_with_short_code_prefixes_first(sandbox: Sandbox) -> None:
    listed = sandbox.api("GET", "canned_responses", token=sandbox.agent_token).json()
    assert [c["short_code"] for c in listed] == ["saudacao", "prazo", "encerramento"]
    assert set(listed[0]) == {"id", "account_id", "short_code", "content", "created_at", "updated_at"}
    assert listed[0]["created_at"].endswith("Z")
    found = sandbox.api("GET", "canned_responses?search=PRAZO").json()
    assert [c["short_code"] for c in found] == ["prazo"]
    either = sandbox.api("GET", "canned_responses?search=en").json()  # "encerramento" starts with it
    assert [c["short_code"] for c in either] == ["encerramento", "prazo"]
    assert sandbox.api("GET", "canned_responses", token=sandbox.bot_token).status_code == 401


def test_sign_in_with_email_and_password_gives_the_user_and_its_access_token(sandbox: Sandbox) -> None:
    """devise_token_auth's POST /auth/sign_in as DeviseOverrides::SessionsController renders it (devise/_auth)."""
    bruno = sandbox.agent("agent")
    url = f"{sandbox.base_url}/auth/sign_in"
    signed = httpx2.post(url, json={"email": bruno["email"].upper(), "password": bruno["password"]}, timeout=10)
    assert signed.status_code == 200
    data = signed.json()["data"]
    assert (data["id"], data["role"], data["access_token"]) == (bruno["id"], "agent", bruno["access_token"])
    assert signed.headers["token-type"] == "Bearer" and signed.headers["uid"] == bruno["email"]
    assert signed.headers["access-token"] and signed.headers["client"] and int(signed.headers["expiry"]) > 0
    profile = sandbox.api("GET", "../../profile", token=data["access_token"]).json()
    assert profile["id"] == bruno["id"]  # the body's access token is the one the API takes
    for body in (
        {"email": bruno["email"], "password": "errada"},
        {"email": "ninguem@acme.com.br", "password": "x"},
        {},
    ):
        refused = httpx2.post(url, json=body, timeout=10)
        assert refused.status_code == 401
        assert refused.json() == {"success": False, "errors": ["Invalid login credentials. Please try again."]}
        assert "access_token" not in refused.text
