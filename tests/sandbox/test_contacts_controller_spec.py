"""Expectations of Chatwoot's spec/controllers/api/v1/accounts/contacts_controller_spec.rb that a client can observe,
ported to the sandbox's contacts endpoints; each test is named after the spec's `it '…'` (the spec's own records
become the sandbox's seeded contacts 11–16 or ones the test creates)."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from tests.conftest import Sandbox

SIGN_IN = {"errors": ["You need to sign in or sign up before continuing."]}


def _post(box: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    created = box.api("POST", "contacts", json=body)
    assert created.status_code == 200, created.text
    return created.json()["payload"]["contact"]


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
    url = f"{sandbox.base_url}/api/v1/accounts/{sandbox.account_id}/{path}"
    response = httpx2.request(method, url, json={"name": "test"}, timeout=10)
    assert response.status_code == 401 and response.json() == SIGN_IN
    assert len(sandbox.control("GET", "state")["contacts"]) == 6  # nothing created


def test_returns_all_resolved_contacts_along_with_contact_inboxes(sandbox: Sandbox) -> None:
    body = sandbox.api("GET", "contacts").json()
    emails = [c["email"] for c in body["payload"]]
    source_ids = [ci["source_id"] for c in body["payload"] for ci in c["contact_inboxes"]]
    state = sandbox.control("GET", "state")
    assert "maria.silva@example.com.br" in emails
    assert state["conversations"][0]["source_id"] in source_ids


def test_returns_all_contacts_without_contact_inboxes(sandbox: Sandbox) -> None:
    body = sandbox.api("GET", "contacts?include_contact_inboxes=false").json()
    assert "maria.silva@example.com.br" in [c["email"] for c in body["payload"]]
    assert [c.get("contact_inboxes") for c in body["payload"] if c.get("contact_inboxes")] == []


def test_returns_limited_information_on_inboxes(sandbox: Sandbox) -> None:
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
    made = _companies(sandbox)
    body = sandbox.api("GET", "contacts?include_contact_inboxes=false&sort=-company_name").json()
    payload = body["payload"]
    assert [c["id"] for c in payload[:2]] == [made[1]["id"], made[0]["id"]]  # "test company 1" > "company 1"
    assert payload[-1]["id"] == made[2]["id"]  # NULLS LAST, the nulls by id


def test_returns_all_contacts_with_company_name_asc_order_with_null_values_at_last(sandbox: Sandbox) -> None:
    made = _companies(sandbox)
    payload = sandbox.api("GET", "contacts?include_contact_inboxes=false&sort=company_name").json()["payload"]
    assert [c["id"] for c in payload[:2]] == [made[0]["id"], made[1]["id"]]
    assert all(c["additional_attributes"].get("company_name") is None for c in payload[2:])


def test_returns_all_contacts_with_country_name_desc_order_with_null_values_at_last(sandbox: Sandbox) -> None:
    _companies(sandbox)
    albania = _post(
        sandbox, {"email": "al@example.com", "additional_attributes": {"country_code": "AL", "country": "Albania"}}
    )
    payload = sandbox.api("GET", "contacts?include_contact_inboxes=false&sort=country").json()["payload"]
    assert payload[0]["id"] == albania["id"] and payload[0]["email"] == albania["email"]
    assert payload[-1]["additional_attributes"].get("country") is None


def test_search_returns_all_contacts_with_contact_inboxes(sandbox: Sandbox) -> None:
    _post(sandbox, {"name": "testcontact", "email": "test@test.com"})
    response = sandbox.api("GET", "contacts/search", params={"q": "test@test.com"})
    assert response.status_code == 200
    assert "test@test.com" in response.text and "maria.silva@example.com.br" not in response.text


def test_matches_the_contact_ignoring_the_case_in_email(sandbox: Sandbox) -> None:
    _post(sandbox, {"name": "testcontact", "email": "test@test.com"})
    response = sandbox.api("GET", "contacts/search", params={"q": "Test@Test.com"})
    assert "test@test.com" in response.text and "maria.silva@example.com.br" not in response.text


def test_matches_the_contact_ignoring_the_case_in_name(sandbox: Sandbox) -> None:
    _post(sandbox, {"name": "testcontact", "email": "test@test.com"})
    response = sandbox.api("GET", "contacts/search", params={"q": "TestContact"})
    assert "test@test.com" in response.text and "maria.silva@example.com.br" not in response.text


def test_returns_has_more_as_true_when_there_are_more_results(sandbox: Sandbox) -> None:
    for n in range(16):
        _post(sandbox, {"name": "searchable_contact", "email": f"s{n}@example.com"})
    body = sandbox.api("GET", "contacts/search", params={"q": "searchable_contact"}).json()
    assert body["meta"]["has_more"] is True and body["meta"]["count"] == 15 and len(body["payload"]) == 15


def test_returns_has_more_as_false_on_the_last_page(sandbox: Sandbox) -> None:
    for n in range(16):
        _post(sandbox, {"name": "searchable_contact", "email": f"s{n}@example.com"})
    body = sandbox.api("GET", "contacts/search", params={"q": "searchable_contact", "page": 2}).json()
    assert body["meta"]["has_more"] is False and body["meta"]["count"] == 1 and len(body["payload"]) == 1


def test_shows_the_contact(sandbox: Sandbox) -> None:
    response = sandbox.api("GET", "contacts/11")
    assert response.status_code == 200 and "Maria Silva" in response.text


def test_creates_the_contact(sandbox: Sandbox) -> None:
    before = len(sandbox.control("GET", "state")["contacts"])
    contact = _post(sandbox, {"name": "test", "custom_attributes": {"test": "test", "test1": "test1"}})
    assert contact["custom_attributes"] == {"test": "test", "test1": "test1"}
    assert len(sandbox.control("GET", "state")["contacts"]) == before + 1


def test_creates_the_contact_identifier_when_inbox_id_is_passed(sandbox: Sandbox) -> None:
    site = sandbox.inbox("Site")["id"]
    contact = _post(sandbox, {"name": "test", "inbox_id": site})
    assert [ci["inbox"]["id"] for ci in contact["contact_inboxes"]] == [site]


def test_does_not_create_the_contact(sandbox: Sandbox) -> None:
    response = sandbox.api("POST", "contacts", json={"name": "test" * 999})
    assert response.status_code == 422
    assert response.json()["message"] == "Name is too long (maximum is 255 characters)"


def test_updates_the_contact(sandbox: Sandbox) -> None:
    sandbox.api("PATCH", "contacts/11", json={"custom_attributes": {"test": "test", "test1": "test1"}})
    response = sandbox.api(
        "PATCH", "contacts/11", json={"name": "Test Blub", "custom_attributes": {"test": "new test", "test2": "test2"}}
    )
    assert response.status_code == 200
    shown = sandbox.api("GET", "contacts/11").json()["payload"]
    assert shown["name"] == "Test Blub"
    # custom attributes are merged properly without overwriting existing ones
    assert shown["custom_attributes"] == {"test": "new test", "test1": "test1", "test2": "test2"}


def test_prevents_updating_with_an_existing_email(sandbox: Sandbox) -> None:
    other = _post(sandbox, {"name": "other", "email": "test1@example.com"})
    response = sandbox.api("PATCH", "contacts/11", json={"name": "Test Blub", "email": other["email"]})
    assert response.status_code == 422 and "email" in response.json()["attributes"]


def test_prevents_updating_with_an_existing_phone_number(sandbox: Sandbox) -> None:
    other = _post(sandbox, {"name": "other", "phone_number": "+12000000"})
    response = sandbox.api("PATCH", "contacts/11", json={"name": "Test Blub", "phone_number": other["phone_number"]})
    assert response.status_code == 422 and "phone_number" in response.json()["attributes"]
