"""Ports of spec/controllers/api/v1/accounts/contacts_controller_spec.rb for deleting a contact and removing its
custom attributes, over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Sandbox

from .support import PNG, anonymous, fetch, public, public_contact
from .support import token as tok


def _with_conversation(box: Sandbox) -> tuple[dict[str, Any], int]:
    """A contact of the Site inbox with one conversation and a message: the spec's contact, contact inbox and
    conversation."""
    identifier, contact = public_contact(box, "Site", name="Rita Apagar", custom_attributes={"test": "test"})
    base = f"{identifier}/contacts/{contact['source_id']}/conversations"
    conv = public(box, "POST", base, json={}).json()
    assert public(box, "POST", f"{base}/{conv['id']}/messages", json={"content": "oi"}).status_code == 200
    return contact, conv["id"]


@pytest.mark.parametrize(
    ("method", "path", "who"),
    [
        ("DELETE", "contacts/11", None),
        ("POST", "contacts/11/destroy_custom_attributes", None),
        ("POST", "contacts/import", None),
        ("POST", "contacts/import", "bruno"),
        ("POST", "contacts/export", None),
        ("POST", "contacts/export", "bruno"),
        ("DELETE", "contacts/11/avatar", None),
    ],
)
def test_returns_unauthorized(sandbox: Sandbox, method: str, path: str, who: str | None) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'returns unauthorized' (DELETE contacts/:id,
    POST destroy_custom_attributes, DELETE contacts/:id/avatar, and import and export without a token or as an
    agent)."""
    body = {"custom_attributes": ["test"]}
    if who is None:
        response = anonymous(sandbox, method, path, json=body)
    else:
        response = sandbox.api(method, path, token=tok(sandbox, who), json=body)
    assert response.status_code == 401
    assert sandbox.api("GET", "contacts/11").json()["payload"]["custom_attributes"] == {}


def test_returns_unprocessable_entity(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'returns Unprocessable Entity' (import with
    no file)."""
    response = sandbox.api("POST", "contacts/import")
    assert response.status_code == 422
    assert response.json()["error"] == "File is blank"


def test_deletes_the_contact_for_administrator_user(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'deletes the contact for administrator
    user'."""
    contact, conv_id = _with_conversation(sandbox)
    response = sandbox.api("DELETE", f"contacts/{contact['id']}")
    assert response.status_code == 200
    assert sandbox.api("GET", f"contacts/{contact['id']}").status_code == 404
    state = sandbox.control("GET", "state")
    assert all(c["id"] != conv_id for c in state["conversations"])
    assert all(c["id"] != contact["id"] for c in state["contacts"])
    assert sandbox.api("GET", f"conversations/{conv_id}").status_code == 404
    listed = sandbox.api("GET", "conversations?status=all&inbox_id=2").json()["data"]["payload"]
    assert conv_id not in [c["id"] for c in listed]
    searched = sandbox.api("GET", "contacts/search?q=Rita").json()["payload"]
    assert searched == []
    source = f"{sandbox.inbox('Site')['inbox_identifier']}/contacts/{contact['source_id']}"
    assert public(sandbox, "GET", source).status_code == 404


def test_returns_unauthorized_for_agent_user(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'returns unauthorized for agent user'."""
    contact, _ = _with_conversation(sandbox)
    response = sandbox.api("DELETE", f"contacts/{contact['id']}", token=tok(sandbox, "bruno"))
    assert response.status_code == 401
    assert sandbox.api("GET", f"contacts/{contact['id']}").status_code == 200


def test_delete_the_custom_attribute(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'delete the custom attribute'."""
    created = sandbox.api(
        "POST", "contacts", json={"name": "Teste", "custom_attributes": {"test": "test", "test1": "test1"}}
    ).json()["payload"]["contact"]
    response = sandbox.api(
        "POST", f"contacts/{created['id']}/destroy_custom_attributes", json={"custom_attributes": ["test"]}
    )
    assert response.status_code == 200
    assert response.json()["payload"]["custom_attributes"] == {"test1": "test1"}
    assert sandbox.api("GET", f"contacts/{created['id']}").json()["payload"]["custom_attributes"] == {"test1": "test1"}


def _upload_avatar(box: Sandbox, contact_id: int) -> dict[str, Any]:
    response = box.api(
        "PATCH",
        f"contacts/{contact_id}",
        data={"name": "Test Blub", "custom_attributes[test]": "new test"},
        files={"avatar": ("avatar.png", PNG, "image/png")},
    )
    assert response.status_code == 200, response.text
    return response.json()["payload"]


def test_updates_avatar(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'updates avatar' (multipart, with the
    spec's other params)."""
    assert sandbox.api("GET", "contacts/12").json()["payload"]["thumbnail"] == ""  # no avatar before upload
    updated = _upload_avatar(sandbox, 12)
    assert updated["name"] == "Test Blub" and updated["custom_attributes"]["test"] == "new test"
    assert fetch(updated["thumbnail"]).content == PNG


def test_delete_contact_avatar(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'delete contact avatar' (as an agent)."""
    url = _upload_avatar(sandbox, 12)["thumbnail"]
    response = sandbox.api("DELETE", "contacts/12/avatar", token=tok(sandbox, "bruno"), json={})
    assert response.status_code == 200
    assert response.json()["payload"]["thumbnail"] == ""
    assert fetch(url).status_code == 404
