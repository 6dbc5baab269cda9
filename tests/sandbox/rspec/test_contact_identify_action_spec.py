"""Ports of spec/actions/contact_identify_action_spec.rb over HTTP, through the two ways the sandbox reaches
ContactIdentifyAction: the public contact PATCH (`PATCH /public/api/v1/inboxes/{inbox_identifier}/contacts/
{source_id}`), whose controller passes the permitted params less `identifier` and without the action's flags, and
the widget's `PATCH /api/v1/widget/contact`, which passes `identifier` and `additional_attributes` with
`discard_invalid_attrs: true`.

The spec's `contact` (custom attributes `test` and `test1`) is a contact made on the Site inbox's public API, or the
anonymous contact of a widget visitor's session; the spec's other contacts are made through the account API."""

from __future__ import annotations

from typing import Any

from tests.conftest import Sandbox
from tests.sandbox.widget_support import widget_inbox, widget_request, widget_session

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


def _visitor(box: Sandbox) -> tuple[str, str, int]:
    """A widget visitor's session: the website token, the `X-Auth-Token` and the session's contact id."""
    website_token = widget_inbox(box)["website_token"]
    session = widget_session(box, website_token)
    return website_token, session["website_channel_config"]["auth_token"], session["contact"]["id"]


def _widget_identify(box: Sandbox, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """`PATCH /api/v1/widget/contact` from a new visitor: the visitor's contact id and the contact that remains,
    as the account API shows it (the widget's answer names only its id)."""
    website_token, token, contact_id = _visitor(box)
    response = widget_request(box, "PATCH", "contact", token, json={"website_token": website_token, **params})
    assert response.status_code == 200, response.text
    return contact_id, _stored(box, response.json()["id"])


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


def test_merge_deeply_nested_additional_attributes(sandbox: Sandbox) -> None:
    """spec/actions/contact_identify_action_spec.rb: it 'merge deeply nested additional attributes', through the
    widget's contact PATCH (the public API does not permit `additional_attributes`)."""
    nested = {"location": "Bengaulru", "company_name": "Meta", "social_profiles": {"linkedin": "saras"}}
    existing = _existing(sandbox, identifier="", email="test@test.com", additional_attributes=nested)
    params = {"email": "test@test.com", "additional_attributes": {"social_profiles": {"twitter": "saras"}}}
    _, result = _widget_identify(sandbox, params)
    assert result["id"] == existing["id"]
    assert result["additional_attributes"]["social_profiles"] == {"linkedin": "saras", "twitter": "saras"}


def test_merges_the_current_contact_to_identified_contact(sandbox: Sandbox) -> None:
    """spec/actions/contact_identify_action_spec.rb: it 'merges the current contact to identified contact', through
    the widget's contact PATCH with the spec's params (the public controller drops `identifier`)."""
    existing = _existing(sandbox, identifier="test_id")
    params = {
        "name": "test",
        "identifier": "test_id",
        "additional_attributes": {"location": "Bengaulru", "company_name": "Meta"},
        "custom_attributes": {"test": "new test", "test2": "test2"},
    }
    contact_id, result = _widget_identify(sandbox, params)
    assert result["id"] == existing["id"]
    assert result["name"] == "test"
    assert _gone(sandbox, contact_id)


def test_will_not_merge_the_current_contact_to_email_contact_if_identifier_of_email_contact_is_different(
    sandbox: Sandbox,
) -> None:
    """spec/actions/contact_identify_action_spec.rb: it 'will not merge the current contact to email contact if
    identifier of email contact is different', through the widget's contact PATCH."""
    existing = _existing(sandbox, identifier="1", email="test@test.com")
    contact_id, result = _widget_identify(sandbox, {"identifier": "2", "email": "test@test.com"})
    assert result["id"] != existing["id"] and result["id"] == contact_id
    assert result["identifier"] == "2"
    assert result["email"] is None


def test_will_not_merge_the_current_contact_to_phone_contact_if_identifier_of_phone_contact_is_different(
    sandbox: Sandbox,
) -> None:
    """spec/actions/contact_identify_action_spec.rb: it 'will not merge the current contact to phone contact if
    identifier of phone contact is different', through the widget's contact PATCH."""
    existing = _existing(sandbox, identifier="1", phone_number="+919999888877")
    contact_id, result = _widget_identify(sandbox, {"identifier": "2", "phone_number": "+919999888877"})
    assert result["id"] != existing["id"] and result["id"] == contact_id
    assert result["identifier"] == "2"
    assert result["email"] is None and result["phone_number"] is None


def test_will_not_update_the_name_of_the_existing_contact_when_discard_invalid_attrs_is_true(
    sandbox: Sandbox,
) -> None:
    """spec/actions/contact_identify_action_spec.rb: it 'will not update the name of the existing contact' (context
    'when discard_invalid_attrs is set to true'), through the widget's contact PATCH, which sets the flag: the
    malformed phone number is dropped and the name saved."""
    contact_id, result = _widget_identify(sandbox, {"phone_number": "blahblah blah", "name": "new name"})
    assert result["id"] == contact_id
    assert result["name"] == "new name"
    assert result["phone_number"] is None


def test_will_not_update_the_name_of_the_existing_contact_when_retain_original_contact_name_is_true(
    sandbox: Sandbox,
) -> None:
    """spec/actions/contact_identify_action_spec.rb: it 'will not update the name of the existing contact' (context
    'when retain_original_contact_name is set to true'), through the widget's conversation create, which sets the flag
    (and offers the name, as the visitor's contact has no e-mail, phone number or identifier yet): the visitor merges
    into the e-mail's contact, which keeps its name."""
    existing = _existing(sandbox, name="old name", email="test@test.com")
    website_token, token, contact_id = _visitor(sandbox)
    body = {
        "website_token": website_token,
        "contact": {"email": "test@test.com", "name": "new name"},
        "message": {"content": "Oi"},
    }
    response = widget_request(sandbox, "POST", "conversations", token, json=body)
    assert response.status_code == 200, response.text
    assert response.json()["contact"]["id"] == existing["id"]
    assert _stored(sandbox, existing["id"])["name"] == "old name"
    assert _gone(sandbox, contact_id)
