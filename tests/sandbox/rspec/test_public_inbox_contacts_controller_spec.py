"""Ports of spec/controllers/public/api/v1/inbox/contacts_controller_spec.rb over HTTP."""

from __future__ import annotations

from tests.conftest import Sandbox

from .support import public, public_contact

KEYS = {"email", "id", "name", "phone_number", "pubsub_token", "source_id"}


def test_creates_a_contact_and_return_the_source_id(sandbox: Sandbox) -> None:
    """spec/controllers/public/api/v1/inbox/contacts_controller_spec.rb: it 'creates a contact and return the
    source id'."""
    _, data = public_contact(sandbox)
    assert KEYS <= set(data)
    assert data["source_id"] is not None and data["pubsub_token"] is not None


def test_persists_the_identifier_of_the_contact(sandbox: Sandbox) -> None:
    """spec/controllers/public/api/v1/inbox/contacts_controller_spec.rb: it 'persists the identifier of the
    contact'."""
    _, data = public_contact(sandbox, identifier="contact-identifier")
    stored = [c for c in sandbox.control("GET", "state")["contacts"] if c["identifier"] == "contact-identifier"]
    assert [c["id"] for c in stored] == [data["id"]]


def test_gets_a_contact_when_present(sandbox: Sandbox) -> None:
    """spec/controllers/public/api/v1/inbox/contacts_controller_spec.rb: it 'gets a contact when present'."""
    identifier, created = public_contact(sandbox)
    response = public(sandbox, "GET", f"{identifier}/contacts/{created['source_id']}")
    assert response.status_code == 200
    data = response.json()
    assert KEYS <= set(data)
    assert data["source_id"] == created["source_id"] and data["pubsub_token"] == created["pubsub_token"]


def test_updates_a_contact_when_present(sandbox: Sandbox) -> None:
    """spec/controllers/public/api/v1/inbox/contacts_controller_spec.rb: it 'updates a contact when present'."""
    identifier, created = public_contact(sandbox)
    response = public(sandbox, "PATCH", f"{identifier}/contacts/{created['source_id']}", json={"name": "John Smith"})
    assert response.status_code == 200
    assert response.json()["name"] == "John Smith"
    assert sandbox.api("GET", f"contacts/{created['id']}").json()["payload"]["name"] == "John Smith"


def test_does_not_expose_internal_contact_columns(sandbox: Sandbox) -> None:
    """spec/controllers/public/api/v1/inbox/contacts_controller_spec.rb: it 'does not expose internal contact
    columns'."""
    identifier, created = public_contact(sandbox, identifier="contact-identifier", custom_attributes={"tier": "vip"})
    response = public(sandbox, "PATCH", f"{identifier}/contacts/{created['source_id']}", json={"name": "John Smith"})
    assert response.status_code == 200
    assert KEYS <= set(response.json())
    hidden = {"account_id", "identifier", "custom_attributes", "additional_attributes", "company_id"}
    assert not hidden & set(response.json())
