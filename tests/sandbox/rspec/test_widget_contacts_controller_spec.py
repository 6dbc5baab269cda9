"""Ports of spec/controllers/api/v1/widget/contacts_controller_spec.rb over HTTP: the web widget's contact
(`PATCH /api/v1/widget/contact`, `PATCH /api/v1/widget/contact/set_user`).

The spec's `contact` (e-mail `test@test.com`, phone `+745623239`) is a widget visitor's anonymous contact, given those
values through the account API; its `token` is the session's `X-Auth-Token`. The spec's `hmac_mandatory: true`
widget is a web widget inbox made with that setting; its `hmac_token` is read from the inbox as the administrator."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import httpx2

from tests.conftest import Sandbox
from tests.sandbox.widget_support import widget_inbox, widget_request, widget_session


@dataclass(frozen=True)
class Visitor:
    website_token: str
    hmac_token: str
    token: str
    contact_id: int


def _visitor(box: Sandbox, hmac_mandatory: bool = False) -> Visitor:
    inbox = widget_inbox(box, hmac_mandatory=hmac_mandatory)
    session = widget_session(box, inbox["website_token"])
    contact_id = session["contact"]["id"]
    _update(box, contact_id, email="test@test.com", phone_number="+745623239")
    return Visitor(
        inbox["website_token"], inbox["hmac_token"], session["website_channel_config"]["auth_token"], contact_id
    )


def _update(box: Sandbox, contact_id: int, **fields: Any) -> None:
    response = box.api("PATCH", f"contacts/{contact_id}", json=fields)
    assert response.status_code == 200, response.text


def _stored(box: Sandbox, contact_id: int) -> dict[str, Any]:
    response = box.api("GET", f"contacts/{contact_id}")
    assert response.status_code == 200, response.text
    return response.json()["payload"]


def _hash(visitor: Visitor, identifier: str) -> str:
    """`OpenSSL::HMAC.hexdigest('sha256', web_widget.hmac_token, identifier)`."""
    return hmac.new(visitor.hmac_token.encode(), identifier.encode(), hashlib.sha256).hexdigest()


def _patch(box: Sandbox, visitor: Visitor, path: str = "contact", **params: Any) -> httpx2.Response:
    body = {"website_token": visitor.website_token, **params}
    return widget_request(box, "PATCH", path, visitor.token, json=body)


def test_returns_unauthorized(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'returns unauthorized' (PATCH
    /api/v1/widget/contact with an empty website token): a 404."""
    response = widget_request(sandbox, "PATCH", "contact", json={"website_token": ""})
    assert response.status_code == 404


def test_calls_contact_identify(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'calls contact identify'. The status is
    ported, and the action's run is seen as the identifier it saves; the arguments the spec reads from its double are
    not observable."""
    visitor = _visitor(sandbox)
    response = _patch(sandbox, visitor, identifier="test")
    assert response.status_code == 200
    assert _stored(sandbox, visitor.contact_id)["identifier"] == "test"


def test_dont_update_phone_number_if_invalid_phone_number_passed(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'dont update phone number if invalid phone
    number passed'."""
    visitor = _visitor(sandbox)
    response = _patch(sandbox, visitor, phone_number="45623239")
    assert response.status_code == 200
    assert response.json()["has_phone_number"] is True
    assert _stored(sandbox, visitor.contact_id)["phone_number"] == "+745623239"


def test_update_phone_number_if_valid_phone_number_passed(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'update phone number if valid phone number
    passed'."""
    visitor = _visitor(sandbox)
    response = _patch(sandbox, visitor, phone_number="+245623239")
    assert response.status_code == 200
    assert response.json()["has_phone_number"] is True
    assert _stored(sandbox, visitor.contact_id)["phone_number"] == "+245623239"


def test_dont_update_email_if_invalid_email_passed(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'dont update email if invalid email passed'."""
    visitor = _visitor(sandbox)
    response = _patch(sandbox, visitor, email="test@")
    assert response.status_code == 200
    assert response.json()["has_email"] is True
    assert _stored(sandbox, visitor.contact_id)["email"] == "test@test.com"


def test_dont_update_email_if_empty_value_email_passed(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'dont update email if empty value email
    passed'."""
    visitor = _visitor(sandbox)
    response = _patch(sandbox, visitor, email="")
    assert response.status_code == 200
    assert response.json()["has_email"] is True
    assert _stored(sandbox, visitor.contact_id)["email"] == "test@test.com"


def test_dont_update_email_if_nil_value_email_passed(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'dont update email if nil value email
    passed'."""
    visitor = _visitor(sandbox)
    response = _patch(sandbox, visitor, email=None)
    assert response.status_code == 200
    assert response.json()["has_email"] is True
    assert _stored(sandbox, visitor.contact_id)["email"] == "test@test.com"


def test_update_email_if_valid_email_passed(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'update email if valid email passed'."""
    visitor = _visitor(sandbox)
    response = _patch(sandbox, visitor, email="test-1@test.com")
    assert response.status_code == 200
    assert response.json()["has_email"] is True
    assert _stored(sandbox, visitor.contact_id)["email"] == "test-1@test.com"


def _victim(box: Sandbox) -> int:
    response = box.api("POST", "contacts", json={"identifier": "victim-identifier", "name": "Victim"})
    assert response.status_code == 200, response.text
    return response.json()["payload"]["contact"]["id"]


def _rejected(box: Sandbox, **hashed: Any) -> None:
    """The identifier-claiming PATCH on an HMAC-mandatory widget: 401 with the controller's error, victim intact."""
    visitor, victim = _visitor(box, hmac_mandatory=True), _victim(box)
    response = _patch(box, visitor, identifier="victim-identifier", name="Attacker", **hashed)
    assert response.status_code == 401
    assert response.json() == {"error": "HMAC failed: Invalid Identifier Hash Provided"}
    assert _stored(box, victim)["name"] == "Victim"


def test_rejects_when_identifier_hash_is_omitted(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'rejects when identifier_hash is omitted'."""
    _rejected(sandbox)


def test_rejects_when_identifier_hash_is_blank(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'rejects when identifier_hash is blank'."""
    _rejected(sandbox, identifier_hash="")


def test_rejects_when_identifier_hash_is_null(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'rejects when identifier_hash is null'."""
    _rejected(sandbox, identifier_hash=None)


def test_rejects_when_identifier_hash_is_invalid(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'rejects when identifier_hash is invalid'."""
    _rejected(sandbox, identifier_hash="DEFINITELY_INVALID_AAAAA_NOT_A_REAL_HMAC")


def test_succeeds_when_a_valid_identifier_hash_is_provided(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'succeeds when a valid identifier_hash is
    provided'."""
    visitor = _visitor(sandbox, hmac_mandatory=True)
    _victim(sandbox)
    identifier_hash = _hash(visitor, "victim-identifier")
    response = _patch(sandbox, visitor, identifier="victim-identifier", identifier_hash=identifier_hash, name="Legit")
    assert response.status_code == 200


def test_allows_updating_name_email_without_an_identifier_hash(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'allows updating name/email without an
    identifier_hash'. `Contact.from_email` is read as the visitor's contact holding the e-mail, whose spec e-mail
    this update replaces."""
    visitor = _visitor(sandbox, hmac_mandatory=True)
    victim = _victim(sandbox)
    response = _patch(sandbox, visitor, email="prechat@test.com", name="Prechat User")
    assert response.status_code == 200
    assert _stored(sandbox, victim)["email"] is None
    assert _stored(sandbox, visitor.contact_id)["email"] == "prechat@test.com"


def test_return_a_new_contact_for_the_provided_identifier(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'return a new contact for the provided
    identifier'. `contact_inboxes.first.hmac_verified?` is read from a conversation opened on that contact inbox
    (`meta.hmac_verified`); the new token names the new contact."""
    visitor = _visitor(sandbox, hmac_mandatory=True)
    _update(sandbox, visitor.contact_id, identifier="random")
    response = _patch(sandbox, visitor, "contact/set_user", identifier="test", identifier_hash=_hash(visitor, "test"))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] != visitor.contact_id
    assert body["widget_auth_token"] is not None
    shown = widget_request(
        sandbox, "GET", "contact", body["widget_auth_token"], params={"website_token": visitor.website_token}
    )
    assert shown.json()["id"] == body["id"] and shown.json()["identifier"] == "test"
    (ci,) = _stored(sandbox, body["id"])["contact_inboxes"]
    opened = {"contact_id": body["id"], "inbox_id": ci["inbox"]["id"], "source_id": ci["source_id"]}
    conversation = sandbox.api("POST", "conversations", json=opened)
    assert conversation.status_code == 200, conversation.text
    assert conversation.json()["meta"]["hmac_verified"] is True


def _set_user(box: Sandbox, correct_hash: bool = False, **hashed: Any) -> httpx2.Response:
    """set_user with the spec's `identifier: 'test'` on an HMAC-mandatory widget; `correct_hash` sends its hash."""
    visitor = _visitor(box, hmac_mandatory=True)
    if correct_hash:
        hashed["identifier_hash"] = _hash(visitor, "test")
    return _patch(box, visitor, "contact/set_user", identifier="test", **hashed)


def test_returns_success_when_correct_identifier_hash_is_provided(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'returns success when correct identifier hash
    is provided' (set_user)."""
    assert _set_user(sandbox, correct_hash=True).status_code == 200


def test_returns_error_when_incorrect_identifier_hash_is_provided(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'returns error when incorrect identifier hash
    is provided' (set_user)."""
    assert _set_user(sandbox, identifier_hash="test").status_code == 401


def test_returns_error_when_identifier_hash_is_blank(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'returns error when identifier hash is blank'
    (set_user)."""
    assert _set_user(sandbox, identifier_hash="").status_code == 401


def test_returns_error_when_identifier_hash_is_not_provided(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'returns error when identifier hash is not
    provided' (set_user)."""
    assert _set_user(sandbox).status_code == 401


def test_returns_unauthorized_destroy_custom_attributes(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'returns unauthorized' (POST
    /api/v1/widget/destroy_custom_attributes with an empty website token): a 404. Sent to the routed path,
    `/api/v1/widget/contact/destroy_custom_attributes`; the spec's path has no route."""
    response = widget_request(sandbox, "POST", "contact/destroy_custom_attributes", json={"website_token": ""})
    assert response.status_code == 404
    assert response.json() == {"error": "Resource could not be found"}


def test_calls_destroy_custom_attributes(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/contacts_controller_spec.rb: it 'calls destroy custom attributes'. Sent to the
    routed path; the contact is given the attribute `test` first (the spec's has none, so its `{}` holds whatever the
    endpoint does), and keeps the one not named."""
    visitor = _visitor(sandbox)
    _update(sandbox, visitor.contact_id, custom_attributes={"test": "value", "plan": "pro"})
    body = {"website_token": visitor.website_token, "identifier": "test", "custom_attributes": ["test"]}
    response = widget_request(sandbox, "POST", "contact/destroy_custom_attributes", visitor.token, json=body)
    assert response.status_code == 200
    assert response.json()["custom_attributes"] == {"plan": "pro"}
    assert _stored(sandbox, visitor.contact_id)["custom_attributes"] == {"plan": "pro"}
