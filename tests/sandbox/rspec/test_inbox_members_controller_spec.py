"""Ports of spec/controllers/api/v1/accounts/inbox_members_controller_spec.rb over HTTP: the spec's inbox is Site,
its old agent Bruno, the agent to add or delete Carla."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Sandbox

from .support import SITE, anonymous, user_id
from .support import token as tok

BRUNO, CARLA = user_id("bruno"), user_id("carla")
NOT_FOUND = {"error": "Resource could not be found"}


def _members(box: Sandbox, inbox_id: int = SITE) -> list[int]:
    return next(i for i in box.control("GET", "state")["inboxes"] if i["id"] == inbox_id)["member_ids"]


def _call(box: Sandbox, method: str, body: dict[str, Any], token: str | None = None) -> Any:
    return box.api(method, "inbox_members", token=token, json=body)


@pytest.mark.parametrize(
    ("method", "who"),
    [("GET", None), ("POST", None), ("PATCH", None), ("DELETE", None)]
    + [("POST", "bruno"), ("PATCH", "bruno"), ("DELETE", "bruno")],
)
def test_returns_unauthorized(sandbox: Sandbox, method: str, who: str | None) -> None:
    """spec/controllers/api/v1/accounts/inbox_members_controller_spec.rb: it 'returns unauthorized' (no token on
    show, create, update and destroy; an agent, even a member, on create, update and destroy)."""
    body = {"inbox_id": SITE, "user_ids": [BRUNO]}
    path = f"inbox_members/{SITE}" if method == "GET" else "inbox_members"
    if who is None:
        response = anonymous(sandbox, method, path, json=None if method == "GET" else body)
    else:
        response = sandbox.api(method, path, token=tok(sandbox, who), json=body)
    assert response.status_code == 401
    assert _members(sandbox) == [BRUNO]


def test_returns_inbox_member_without_access(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inbox_members_controller_spec.rb: it 'returns inbox member' (when it is an
    authenticated user with out access to inbox: Carla and Site)."""
    response = sandbox.api("GET", f"inbox_members/{SITE}", token=tok(sandbox, "carla"))
    assert response.status_code == 401


def test_returns_inbox_member(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inbox_members_controller_spec.rb: it 'returns inbox member' (with access:
    Bruno and Site)."""
    response = sandbox.api("GET", f"inbox_members/{SITE}", token=tok(sandbox, "bruno"))
    assert response.status_code == 200
    payload = response.json()["payload"]
    assert [agent["id"] for agent in payload] == _members(sandbox) == [BRUNO]
    assert payload[0]["role"] == "agent" and payload[0]["name"] == "Bruno Agente"


def test_add_inbox_members(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inbox_members_controller_spec.rb: it 'add inbox members'."""
    response = _call(sandbox, "POST", {"inbox_id": SITE, "user_ids": [BRUNO, CARLA]})
    assert response.status_code == 200
    assert [agent["id"] for agent in response.json()["payload"]] == [BRUNO, CARLA]
    assert _members(sandbox) == [BRUNO, CARLA]
    inboxes = sandbox.api("GET", "inboxes", token=tok(sandbox, "carla")).json()["payload"]
    assert SITE in [i["id"] for i in inboxes]  # the new member now sees the inbox


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
def test_renders_not_found_when_inbox_not_found(sandbox: Sandbox, method: str) -> None:
    """spec/controllers/api/v1/accounts/inbox_members_controller_spec.rb: it 'renders not found when inbox not
    found' (create, update, destroy with `inbox_id: nil`)."""
    response = _call(sandbox, method, {"inbox_id": None, "user_ids": [CARLA]})
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_renders_error_on_invalid_params(sandbox: Sandbox, method: str) -> None:
    """spec/controllers/api/v1/accounts/inbox_members_controller_spec.rb: it 'renders error on invalid params'
    (create and update: 422 `User must exist`, nothing changes)."""
    response = _call(sandbox, method, {"inbox_id": SITE, "user_ids": ["invalid"]})
    assert response.status_code == 422
    assert "User must exist" in response.text
    assert _members(sandbox) == [BRUNO]


def test_renders_error_on_invalid_params_on_destroy(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inbox_members_controller_spec.rb: it 'renders error on invalid params'
    (destroy: 404 `Resource could not be found`)."""
    response = _call(sandbox, "DELETE", {"inbox_id": SITE, "user_ids": ["invalid"]})
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert _members(sandbox) == [BRUNO]


def test_modifies_inbox_members(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inbox_members_controller_spec.rb: it 'modifies inbox members'."""
    response = _call(sandbox, "PATCH", {"inbox_id": SITE, "user_ids": [CARLA]})
    assert response.status_code == 200
    assert [agent["id"] for agent in response.json()["payload"]] == [CARLA]
    assert _members(sandbox) == [CARLA]
    assert sandbox.api("GET", f"inboxes/{SITE}", token=tok(sandbox, "bruno")).status_code == 401


def test_deletes_inbox_members(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inbox_members_controller_spec.rb: it 'deletes inbox members'."""
    assert _call(sandbox, "POST", {"inbox_id": SITE, "user_ids": [CARLA]}).status_code == 200
    response = _call(sandbox, "DELETE", {"inbox_id": SITE, "user_ids": [CARLA]})
    assert response.status_code == 200 and response.content == b""
    assert _members(sandbox) == [BRUNO]


def test_renders_error_on_non_member_params(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inbox_members_controller_spec.rb: it 'renders error on non member params'
    (Carla is not a member of Site; Bruno, who is, stays)."""
    response = _call(sandbox, "DELETE", {"inbox_id": SITE, "user_ids": [BRUNO, CARLA]})
    assert response.status_code == 404
    assert "Resource could not be found" in response.text
    assert _members(sandbox) == [BRUNO]
