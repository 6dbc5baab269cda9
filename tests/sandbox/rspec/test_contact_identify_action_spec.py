"""Ports of spec/actions/contact_identify_action_spec.rb over HTTP, through the public contact PATCH
(`PATCH /public/api/v1/inboxes/{inbox_identifier}/contacts/{source_id}`), the one way the sandbox reaches
ContactIdentifyAction: its controller passes the permitted params less `identifier` and without the action's flags.

The spec's `contact` (custom attributes `test` and `test1`) is a contact made on the Site inbox's public API; the
spec's other contacts are made through the account API."""

from __future__ import annotations

from typing import Any

from tests.conftest import Sandbox

from .support import public, public_contact

SPEC_ATTRIBUTES = {"test": "test", "test1": "test1"}


def _contact(box: Sandbox) -> tuple[str, dict[str, Any]]:
    return public_contact(box, "Site", name="Visitante", custom_attributes=SPEC_ATTRIBUTES)


def _existing(box: Sandbox, **fields: Any) -> dict[str, Any]:
    response = box.api("POST", "contacts", json=fields)
    assert response.status_code == 200, response.text
    return response.json()["payload"]["contact"]


def _identify(box: Sandbox, inbox: str, source_id: str, params: dict[str, Any]) -> dict[str, Any]:
    response = public(box, "PATCH", f"{inbox}/contacts/{source_id}", json=params)
    assert response.status_code == 200, response.text
    return response.json()


def _stored(box: Sandbox, contact_id: int) -> dict[str, Any]:
    response = box.api("GET", f"contacts/{contact_id}")
    assert response.status_code == 200, response.text
    return response.json()["payload"]


def _gone(box: Sandbox, contact_id: int) -> bool:
    """`expect { contact.reload }.to raise_error(ActiveRecord::RecordNotFound)`, seen through the account API."""
    return box.api("GET", f"contacts/{contact_id}").status_code == 404


def test_updates_the_contact(sandbox: Sandbox) -> None:
    """spec/actions/contact_identify_action_spec.rb: it 'updates the contact'. The name and the custom attributes
    (merged without overwriting the others) are ported; the spec's `identifier` and `additional_attributes` never
    reach the action through the public API (the controller drops `identifier`, `additional_attributes` is not
    permitted), so here the contact keeps neither."""
    inbox, contact = _contact(sandbox)
    params = {
        "name": "test",
        "identifier": "test_id",
        "additional_attributes": {"location": "Bengaulru", "company_name": "Meta"},
        "custom_attributes": {"test": "new test", "test2": "test2"},
    }
    assert _identify(sandbox, inbox, contact["source_id"], params)["name"] == "test"
    stored = _stored(sandbox, contact["id"])
    assert stored["name"] == "test"
    assert stored["custom_attributes"] == {"test": "new test", "test1": "test1", "test2": "test2"}
    assert stored["identifier"] is None and stored["additional_attributes"] == {}


def test_merges_the_current_contact_to_email_contact(sandbox: Sandbox) -> None:
    """spec/actions/contact_identify_action_spec.rb: it 'merges the current contact to email contact'."""
    existing = _existing(sandbox, email="test@test.com", name="old name")
    inbox, contact = _contact(sandbox)
    result = _identify(sandbox, inbox, contact["source_id"], {"name": "new name", "email": "test@test.com"})
    assert result["id"] == existing["id"]
    assert result["name"] == "new name"
    assert _stored(sandbox, existing["id"])["name"] == "new name"
    assert _gone(sandbox, contact["id"])


def test_merges_the_current_contact_to_phone_number_contact(sandbox: Sandbox) -> None:
    """spec/actions/contact_identify_action_spec.rb: it 'merges the current contact to phone_number contact'."""
    existing = _existing(sandbox, phone_number="+919999888877", name="Phone Holder")
    inbox, contact = _contact(sandbox)
    result = _identify(sandbox, inbox, contact["source_id"], {"phone_number": "+919999888877"})
    assert result["id"] == existing["id"]
    assert result["name"] == existing["name"]
    assert _gone(sandbox, contact["id"])


def test_will_not_overide_the_phone_contacts_email_when_params_contains_different_email(sandbox: Sandbox) -> None:
    """spec/actions/contact_identify_action_spec.rb: it 'will not overide the phone contacts email when params
    contains different email'."""
    existing = _existing(sandbox, email="1@test.com", phone_number="+919999888877")
    inbox, contact = _contact(sandbox)
    params = {"email": "2@test.com", "phone_number": "+919999888877"}
    result = _identify(sandbox, inbox, contact["source_id"], params)
    assert result["id"] != existing["id"] and result["id"] == contact["id"]
    assert result["email"] == "2@test.com"
    assert result["phone_number"] is None
    kept = _stored(sandbox, existing["id"])
    assert (kept["email"], kept["phone_number"]) == ("1@test.com", "+919999888877")


def test_updates_the_attributes_of_contact_passed_in_to_identify_action(sandbox: Sandbox) -> None:
    """spec/actions/contact_identify_action_spec.rb: it 'updates the attributes of contact passed in to identify
    action'. The other contact is made with `identifier: ''`, which the account API stores as no identifier."""
    _existing(sandbox, identifier="", name="Sem Identificador")
    inbox, contact = _contact(sandbox)
    result = _identify(sandbox, inbox, contact["source_id"], {"identifier": "", "name": "new name"})
    assert result["id"] == contact["id"]
    assert result["name"] == "new name"


def test_will_not_update_the_name_of_the_existing_contact_when_discard_invalid_attrs_is_false(
    sandbox: Sandbox,
) -> None:
    """spec/actions/contact_identify_action_spec.rb: it 'will not update the name of the existing contact' (context
    'when discard_invalid_attrs is set to false', the public API's case): ActiveRecord::RecordInvalid, a 422 from
    the public controller, and nothing saved."""
    inbox, contact = _contact(sandbox)
    params = {"email": "blah blah blah", "name": "new name"}
    response = public(sandbox, "PATCH", f"{inbox}/contacts/{contact['source_id']}", json=params)
    assert response.status_code == 422
    assert response.json()["attributes"] == ["email"]
    assert _stored(sandbox, contact["id"])["name"] == "Visitante"
