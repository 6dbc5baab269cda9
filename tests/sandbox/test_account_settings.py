"""`GET` and `PATCH /api/v1/accounts/{id}` (chatwoot_mcp/sandbox/api_account_settings.py), as
Api::V1::AccountsController answers them (app/controllers/api/v1/accounts_controller.rb)."""

from __future__ import annotations

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
