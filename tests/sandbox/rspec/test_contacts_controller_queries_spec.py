"""Ports of spec/controllers/api/v1/accounts/contacts_controller_spec.rb for the contact filter, the active
contacts and a contact's contactable inboxes, over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Sandbox

from .support import WHATSAPP, anonymous
from .support import token as tok

SIGN_IN = {"errors": ["You need to sign in or sign up before continuing."]}


def _us_contacts(box: Sandbox) -> list[dict[str, Any]]:
    """The spec's contact1 and contact2: e-mails, country_code US."""
    made = []
    for name, email in (("Primeiro", "primeiro@example.com"), ("testcontact", "test@test.com")):
        body = {"name": name, "email": email, "additional_attributes": {"country_code": "US"}}
        response = box.api("POST", "contacts", json=body)
        assert response.status_code == 200, response.text
        made.append(response.json()["payload"]["contact"])
    return made


def _filter(box: Sandbox, operator: str, values: list[str]) -> Any:
    rule = {"attribute_key": "country_code", "filter_operator": operator, "values": values}
    return box.api("POST", "contacts/filter", json={"payload": [rule]})


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "contacts/filter"), ("GET", "contacts/active"), ("GET", "contacts/11/contactable_inboxes")],
)
def test_returns_unauthorized(sandbox: Sandbox, method: str, path: str) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'returns unauthorized' (contacts/filter,
    contacts/active and contactable_inboxes)."""
    response = anonymous(sandbox, method, path)
    assert response.status_code == 401
    assert response.json() == SIGN_IN


def test_returns_all_contacts_when_query_is_empty(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'returns all contacts when query is
    empty'."""
    made = _us_contacts(sandbox)
    response = _filter(sandbox, "equal_to", ["US"])
    assert response.status_code == 200
    assert made[0]["email"] in response.text and made[1]["email"] in response.text
    body = response.json()
    assert body["meta"] == {"count": 2, "current_page": 1}
    assert sorted(c["id"] for c in body["payload"]) == sorted(c["id"] for c in made)
    others = _filter(sandbox, "not_equal_to", ["us"]).json()  # text_case_insensitive
    assert not {c["id"] for c in made} & {c["id"] for c in others["payload"]}


def test_returns_error_the_query_operator_is_invalid(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'returns error the query operator is
    invalid'."""
    _us_contacts(sandbox)
    response = _filter(sandbox, "eq", ["US"])
    assert response.status_code == 422
    assert "Invalid operator. The allowed operators for country_code are [equal_to,not_equal_to]" in response.text


def test_returns_error_the_query_value_is_invalid(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'returns error the query value is
    invalid'."""
    _us_contacts(sandbox)
    response = _filter(sandbox, "equal_to", [])
    assert response.status_code == 422
    assert 'Invalid value. The values provided for country_code are invalid"' in response.text


def test_returns_no_contacts_if_no_are_online(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'returns no contacts if no are online'."""
    response = sandbox.api("GET", "contacts/active")
    assert response.status_code == 200
    assert response.json() == {"meta": {"count": 0, "current_page": 1}, "payload": []}


def test_shows_the_contactable_inboxes_which_the_user_has_access_to(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'shows the contactable inboxes which the
    user has access to' (Carla is an agent of WhatsApp only; the spec stubs the service with two inboxes)."""
    response = sandbox.api("GET", "contacts/11/contactable_inboxes", token=tok(sandbox, "carla"))
    assert response.status_code == 200
    assert [x["inbox"]["id"] for x in response.json()["payload"]] == [WHATSAPP]
    admin = sandbox.api("GET", "contacts/11/contactable_inboxes").json()["payload"]
    assert [x["inbox"]["id"] for x in admin] == [1, 2]
    assert all(x["source_id"] for x in admin)


def test_filters_resolved_contacts_based_on_label_filter(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/contacts_controller_spec.rb: it 'filters resolved contacts based on label
    filter' (the spec writes the tags directly; here label1 and label2 are defined, then posted)."""
    for title in ("label1", "label2"):
        assert sandbox.api("POST", "labels", json={"label": {"title": title}}).status_code == 200
    made = _us_contacts(sandbox)
    for contact, label in zip(made, ("label1", "label2"), strict=True):
        posted = sandbox.api("POST", f"contacts/{contact['id']}/labels", json={"labels": [label]})
        assert posted.json() == {"payload": [label]}
    response = sandbox.api("GET", "contacts?labels[]=label1&labels[]=label2")
    assert response.status_code == 200
    body = response.json()
    assert body["meta"]["count"] == 2
    assert {c["email"] for c in body["payload"]} == {c["email"] for c in made}
