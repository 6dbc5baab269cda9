"""`GET` and `PATCH /api/v1/accounts/{id}` (chatwoot_mcp/sandbox/api_account_settings.py), as
Api::V1::AccountsController answers them (app/controllers/api/v1/accounts_controller.rb)."""

from __future__ import annotations

import httpx2

from tests.conftest import Sandbox
from tests.sandbox.rspec.support import account_request, token


def test_administrators_change_the_account_and_its_permitted_settings(sandbox: Sandbox) -> None:
    response = account_request(
        sandbox,
        "PATCH",
        json={"name": "Acme", "locale": "en", "auto_resolve_after": 1440, "industry": "Varejo", "plan": "free"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["locale"]) == ("Acme", "en")
    assert body["settings"] == {"auto_resolve_after": 1440}
    assert body["custom_attributes"] == {"industry": "Varejo"}
    shown = account_request(sandbox, "GET", token=token(sandbox, "bruno"))
    assert shown.status_code == 200 and shown.json()["name"] == "Acme"


def test_agents_cannot_change_the_account_and_bad_values_are_refused(sandbox: Sandbox) -> None:
    agent = account_request(sandbox, "PATCH", token=token(sandbox, "bruno"), json={"name": "Outra"})
    assert agent.status_code == 401
    assert agent.json() == {"error": "You are not authorized to do this action"}
    for body, attribute in (({"name": ""}, "name"), ({"auto_resolve_after": 5}, "auto_resolve_after")):
        refused = account_request(sandbox, "PATCH", json=body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["attributes"] == [attribute]
    assert account_request(sandbox, "GET").json()["name"] == "Acme Suporte"


def test_a_user_sets_their_availability_and_auto_offline(sandbox: Sandbox) -> None:
    """`PATCH /api/v1/profile/availability` and `/profile/auto_offline` (api_profile_settings.py): the profile's
    account entry and the agent list show them; another account is 404, a bad availability 422."""
    headers = {"api_access_token": token(sandbox, "bruno")}
    url = f"{sandbox.base_url}/api/v1/profile"
    body = {"profile": {"account_id": sandbox.account_id, "auto_offline": False}}
    changed = httpx2.patch(f"{url}/auto_offline", headers=headers, json=body, timeout=10)
    assert changed.status_code == 200, changed.text
    assert changed.json()["accounts"][0]["auto_offline"] is False
    busy = {"profile": {"account_id": sandbox.account_id, "availability": "busy"}}
    made_busy = httpx2.patch(f"{url}/availability", headers=headers, json=busy, timeout=10)
    assert made_busy.status_code == 200 and made_busy.json()["accounts"][0]["availability"] == "busy"
    agents = sandbox.api("GET", "agents").json()
    bruno = next(a for a in agents if a["id"] == 2)
    assert (bruno["auto_offline"], bruno["availability_status"]) == (False, "busy")
    other = {"profile": {"account_id": 2, "availability": "online"}}
    assert httpx2.patch(f"{url}/availability", headers=headers, json=other, timeout=10).status_code == 404
    bad = {"profile": {"account_id": sandbox.account_id, "availability": "away"}}
    assert httpx2.patch(f"{url}/availability", headers=headers, json=bad, timeout=10).status_code == 422
