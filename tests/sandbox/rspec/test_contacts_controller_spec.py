"""Ports of spec/controllers/api/v1/accounts/contacts_controller_spec.rb for the endpoints the sandbox has (search)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Sandbox

from .support import anonymous, public


def _contact(box: Sandbox, **fields: Any) -> dict[str, Any]:
    """Create a contact through the public API of the WhatsApp inbox (the sandbox's way to add one)."""
    identifier = box.inbox("WhatsApp")["inbox_identifier"]
    response = public(box, "POST", f"{identifier}/contacts", json=fields)
    assert response.status_code == 200, response.text
    return response.json()


def _search(box: Sandbox, q: str) -> Any:
    response = box.api("GET", "contacts/search", params={"q": q})
    assert response.status_code == 200
    return response


def test_returns_unauthorized(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'returns unauthorized' (GET
    contacts/search)."""
    assert anonymous(sandbox, "GET", "contacts/search").status_code == 401


def test_returns_all_resolved_contacts_with_contact_inboxes(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'returns all resolved contacts with contact
    inboxes' (search by email)."""
    contact = _contact(sandbox, name="testcontact", email="test@test.com")
    response = _search(sandbox, "test@test.com")
    assert "test@test.com" in response.text and "maria.silva@example.com.br" not in response.text
    found = response.json()["payload"]
    assert [c["id"] for c in found] == [contact["id"]] and found[0]["contact_inboxes"]


def test_matches_the_contact_ignoring_the_case_in_email(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'matches the contact ignoring the case in
    email'."""
    _contact(sandbox, name="testcontact", email="test@test.com")
    response = _search(sandbox, "Test@Test.com")
    assert "test@test.com" in response.text and "maria.silva@example.com.br" not in response.text


def test_matches_the_contact_ignoring_the_case_in_name(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'matches the contact ignoring the case in
    name'."""
    _contact(sandbox, name="testcontact", email="test@test.com")
    response = _search(sandbox, "TestContact")
    assert "test@test.com" in response.text and "maria.silva@example.com.br" not in response.text


def test_matches_the_resolved_contact_respecting_the_identifier_character_casing(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'matches the resolved contact respecting
    the identifier character casing'."""
    _contact(sandbox, name="testcontact", identifier="testidentifer")
    _contact(sandbox, name="testcontact", identifier="TestIdentifier")
    response = _search(sandbox, "TestIdentifier")
    assert "TestIdentifier" in response.text and "testidentifer" not in response.text
