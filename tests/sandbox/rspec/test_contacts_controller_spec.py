"""Ports of spec/controllers/api/v1/accounts/contacts_controller_spec.rb over HTTP: the contacts list, search,
show, create and update (the spec's records become the sandbox's seeded contacts 11–16 or ones the test creates)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Sandbox

from .support import anonymous, other_account, public, public_contact

SIGN_IN = {"errors": ["You need to sign in or sign up before continuing."]}


def _contact(box: Sandbox, **fields: Any) -> dict[str, Any]:
    """Create a contact through the public API of the WhatsApp inbox."""
    identifier = box.inbox("WhatsApp")["inbox_identifier"]
    response = public(box, "POST", f"{identifier}/contacts", json=fields)
    assert response.status_code == 200, response.text
    return response.json()


def _post(box: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    created = box.api("POST", "contacts", json=body)
    assert created.status_code == 200, created.text
    return created.json()["payload"]["contact"]


def _search(box: Sandbox, q: str) -> Any:
    response = box.api("GET", "contacts/search", params={"q": q})
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "contacts"),
        ("GET", "contacts/search?q=a"),
        ("GET", "contacts/11"),
        ("POST", "contacts"),
        ("PATCH", "contacts/11"),
        ("PUT", "contacts/11"),
    ],
)
def test_returns_unauthorized(sandbox: Sandbox, method: str, path: str) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'returns unauthorized' (list, search, show,
    create and update)."""
    response = anonymous(sandbox, method, path, json={"name": "test"})
    assert response.status_code == 401 and response.json() == SIGN_IN
    assert len(sandbox.control("GET", "state")["contacts"]) == 6  # nothing created
    assert sandbox.api("GET", "contacts/11").json()["payload"]["name"] != "test"


def test_returns_all_resolved_contacts_along_with_contact_inboxes(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'returns all resolved contacts along with
    contact inboxes'."""
    body = sandbox.api("GET", "contacts").json()
    emails = [c["email"] for c in body["payload"]]
    source_ids = [ci["source_id"] for c in body["payload"] for ci in c["contact_inboxes"]]
    state = sandbox.control("GET", "state")
    assert "maria.silva@example.com.br" in emails
    assert state["conversations"][0]["source_id"] in source_ids


def test_returns_all_contacts_without_contact_inboxes(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'returns all contacts without contact
    inboxes'."""
    body = sandbox.api("GET", "contacts?include_contact_inboxes=false").json()
    assert "maria.silva@example.com.br" in [c["email"] for c in body["payload"]]
    assert [c.get("contact_inboxes") for c in body["payload"] if c.get("contact_inboxes")] == []


def test_returns_limited_information_on_inboxes(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'returns limited information on inboxes'."""
    body = sandbox.api("GET", "contacts?include_contact_inboxes=true").json()
    first_inbox = next(ci for c in body["payload"] for ci in c["contact_inboxes"])["inbox"]
    assert {"id", "channel_id", "channel_type", "name", "avatar_url", "provider"} <= set(first_inbox)
    assert not {"hmac_token", "provider_config", "secret", "imap_password", "smtp_password"} & set(first_inbox)


def _companies(box: Sandbox) -> list[dict[str, Any]]:
    return [
        _post(
            box,
            {"email": "c1@example.com", "additional_attributes": {"company_name": "Company 1", "country_code": "IN"}},
        ),
        _post(
            box,
            {
                "email": "c2@example.com",
                "additional_attributes": {"company_name": "Test Company 1", "country_code": "CA"},
            },
        ),
        _post(box, {"email": "c3@example.com", "additional_attributes": {"company_name": None, "country_code": None}}),
    ]


def test_returns_all_contacts_with_company_name_desc_order(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'returns all contacts with company name desc
    order'."""
    made = _companies(sandbox)
    body = sandbox.api("GET", "contacts?include_contact_inboxes=false&sort=-company_name").json()
    payload = body["payload"]
    assert [c["id"] for c in payload[:2]] == [made[1]["id"], made[0]["id"]]  # "test company 1" > "company 1"
    assert payload[-1]["id"] == made[2]["id"]  # NULLS LAST, the nulls by id


def test_returns_all_contacts_with_company_name_asc_order_with_null_values_at_last(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'returns all contacts with company name asc
    order with null values at last'."""
    made = _companies(sandbox)
    payload = sandbox.api("GET", "contacts?include_contact_inboxes=false&sort=company_name").json()["payload"]
    assert [c["id"] for c in payload[:2]] == [made[0]["id"], made[1]["id"]]
    assert all(c["additional_attributes"].get("company_name") is None for c in payload[2:])


def test_returns_all_contacts_with_country_name_desc_order_with_null_values_at_last(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'returns all contacts with country name desc
    order with null values at last'."""
    _companies(sandbox)
    albania = _post(
        sandbox, {"email": "al@example.com", "additional_attributes": {"country_code": "AL", "country": "Albania"}}
    )
    payload = sandbox.api("GET", "contacts?include_contact_inboxes=false&sort=country").json()["payload"]
    assert payload[0]["id"] == albania["id"] and payload[0]["email"] == albania["email"]
    assert payload[-1]["additional_attributes"].get("country") is None


def test_returns_last_seen_at(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'returns last seen at' (the contact has a
    conversation it has seen; the spec's `expect(…['last_seen_at']).present?` asserts nothing, and Chatwoot's
    `_contact.json.jbuilder` renders no `last_seen_at`: the success and the listed contact are what it checks)."""
    identifier, contact = public_contact(sandbox, name="Visto", email="visto@example.com")
    base = f"{identifier}/contacts/{contact['source_id']}/conversations"
    conversation = public(sandbox, "POST", base, json={})
    assert conversation.status_code == 200, conversation.text
    seen = public(sandbox, "POST", f"{base}/{conversation.json()['id']}/update_last_seen")
    assert seen.status_code == 200, seen.text
    response = sandbox.api("GET", "contacts")
    assert response.status_code == 200
    assert contact["id"] in [c["id"] for c in response.json()["payload"]]


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
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'matches the resolved contact respecting the
    identifier character casing'."""
    _contact(sandbox, name="testcontact", identifier="testidentifer")
    _contact(sandbox, name="testcontact", identifier="TestIdentifier")
    response = _search(sandbox, "TestIdentifier")
    assert "TestIdentifier" in response.text and "testidentifer" not in response.text


def test_searches_contacts_using_company_name(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'searches contacts using company name'
    (additional_attributes->>'company_name' ILIKE, after an update sets it)."""
    contact = _post(sandbox, {"name": "testcontact", "email": "test@test.com"})
    sandbox.api("PATCH", f"contacts/{contact['id']}", json={"additional_attributes": {"company_name": "Acme Inc"}})
    response = _search(sandbox, "acme inc")
    assert [c["id"] for c in response.json()["payload"]] == [contact["id"]]


def test_shows_the_contact(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'shows the contact'."""
    response = sandbox.api("GET", "contacts/11")
    assert response.status_code == 200 and "Maria Silva" in response.text


def test_creates_the_contact(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'creates the contact'."""
    before = len(sandbox.control("GET", "state")["contacts"])
    contact = _post(sandbox, {"name": "test", "custom_attributes": {"test": "test", "test1": "test1"}})
    assert contact["custom_attributes"] == {"test": "test", "test1": "test1"}
    assert len(sandbox.control("GET", "state")["contacts"]) == before + 1


def test_creates_the_contact_inbox_when_inbox_id_is_passed(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'creates the contact inbox when inbox id is
    passed'."""
    site = sandbox.inbox("Site")["id"]
    contact = _post(sandbox, {"name": "test", "inbox_id": site})
    assert [ci["inbox"]["id"] for ci in contact["contact_inboxes"]] == [site]


def test_does_not_create_the_contact(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'does not create the contact'."""
    response = sandbox.api("POST", "contacts", json={"name": "test" * 999})
    assert response.status_code == 422
    assert response.json()["message"] == "Name is too long (maximum is 255 characters)"


def test_updates_the_contact(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'updates the contact'."""
    sandbox.api("PATCH", "contacts/11", json={"custom_attributes": {"test": "test", "test1": "test1"}})
    response = sandbox.api(
        "PATCH", "contacts/11", json={"name": "Test Blub", "custom_attributes": {"test": "new test", "test2": "test2"}}
    )
    assert response.status_code == 200
    shown = sandbox.api("GET", "contacts/11").json()["payload"]
    assert shown["name"] == "Test Blub"
    # custom attributes are merged properly without overwriting existing ones
    assert shown["custom_attributes"] == {"test": "new test", "test1": "test1", "test2": "test2"}


def test_prevents_the_update_of_contact_of_another_account(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'prevents the update of contact of another
    account'."""
    created = other_account(sandbox, "POST", "contacts", json={"name": "Contato de fora"})
    assert created.status_code == 200, created.text
    other_id = created.json()["payload"]["contact"]["id"]
    response = sandbox.api("PATCH", f"contacts/{other_id}", json={"name": "Test Blub"})
    assert response.status_code == 404
    assert other_account(sandbox, "GET", f"contacts/{other_id}").json()["payload"]["name"] == "Contato de fora"


def test_prevents_updating_with_an_existing_email(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'prevents updating with an existing
    email'."""
    other = _post(sandbox, {"name": "other", "email": "test1@example.com"})
    response = sandbox.api("PATCH", "contacts/11", json={"name": "Test Blub", "email": other["email"]})
    assert response.status_code == 422 and "email" in response.json()["attributes"]


def test_prevents_updating_with_an_existing_phone_number(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'prevents updating with an existing phone
    number'."""
    other = _post(sandbox, {"name": "other", "phone_number": "+12000000"})
    response = sandbox.api("PATCH", "contacts/11", json={"name": "Test Blub", "phone_number": other["phone_number"]})
    assert response.status_code == 422 and "phone_number" in response.json()["attributes"]


def test_allows_blocking_of_contact(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'allows blocking of contact'."""
    response = sandbox.api("PATCH", "contacts/11", json={"blocked": True})
    assert response.status_code == 200
    assert sandbox.api("GET", "contacts/11").json()["payload"]["blocked"] is True


def test_allows_unblocking_of_contact(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'allows unblocking of contact'."""
    sandbox.api("PATCH", "contacts/11", json={"blocked": True})
    response = sandbox.api("PATCH", "contacts/11", json={"blocked": False})
    assert response.status_code == 200
    assert sandbox.api("GET", "contacts/11").json()["payload"]["blocked"] is False
