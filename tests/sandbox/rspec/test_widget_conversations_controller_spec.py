"""Ports of spec/controllers/api/v1/widget/conversations_controller_spec.rb over HTTP: the web widget's conversations
(`/api/v1/widget/conversations` and its collection actions).

The spec's `contact` is a widget visitor's anonymous contact and `token` its session's `X-Auth-Token`; the spec's
`conversation` is made on the visitor's contact inbox through the account API (`POST /conversations` with its source
id). The spec's `token_without_conversation` names a second contact inbox of the same contact, which the sandbox
cannot make without a conversation; a new visitor's session stands in (a contact inbox with no conversation)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx2

from tests.conftest import Sandbox
from tests.sandbox.conftest import Receiver, wait_for
from tests.sandbox.widget_support import widget_inbox, widget_request, widget_session

from .support import new_conversation, subscribe


@dataclass(frozen=True)
class Visitor:
    website_token: str
    inbox_id: int
    token: str
    contact_id: int
    display_id: int  # the spec's `conversation`


def _contact(box: Sandbox, contact_id: int) -> httpx2.Response:
    return box.api("GET", f"contacts/{contact_id}")


def _visitor(box: Sandbox) -> Visitor:
    inbox = widget_inbox(box)
    session = widget_session(box, inbox["website_token"])
    contact_id = session["contact"]["id"]
    rows = _contact(box, contact_id).json()["payload"]["contact_inboxes"]
    source_id = next(row["source_id"] for row in rows if row["inbox"]["id"] == inbox["id"])
    conv = new_conversation(box, inbox_id=inbox["id"], contact_id=contact_id, source_id=source_id)
    token = session["website_channel_config"]["auth_token"]
    return Visitor(inbox["website_token"], inbox["id"], token, contact_id, conv["id"])


def _call(
    box: Sandbox, visitor: Visitor, method: str, path: str, token: str | None = None, **params: Any
) -> httpx2.Response:
    body = {"website_token": visitor.website_token, **params}
    sent = token or visitor.token
    if method == "GET":
        return widget_request(box, method, path, sent, params=body)
    return widget_request(box, method, path, sent, json=body)


def _conversation(box: Sandbox, display_id: int) -> dict[str, Any]:
    response = box.api("GET", f"conversations/{display_id}")
    assert response.status_code == 200, response.text
    return response.json()


def _new_contact(box: Sandbox, **fields: Any) -> dict[str, Any]:
    response = box.api("POST", "contacts", json=fields)
    assert response.status_code == 200, response.text
    return response.json()["payload"]["contact"]


def _disable_inbox(box: Sandbox, inbox_id: int) -> None:
    """The spec's `web_widget.inbox.update!(active: false)`, as an administrator does it: `PATCH /inboxes/{id}`."""
    response = box.api("PATCH", f"inboxes/{inbox_id}", json={"active": False})
    assert response.status_code == 200, response.text
    assert response.json()["active"] is False


def _conversation_params() -> dict[str, Any]:
    """The spec's `conversation_params`, less the website token."""
    return {
        "contact": {"name": "contact-name", "email": "contact-email@chatwoot.com", "phone_number": "+919745313456"},
        "message": {"content": "This is a test message"},
        "custom_attributes": {"order_id": "12345"},
    }


def test_returns_the_correct_conversation_params(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'returns the correct conversation params'
    (GET /api/v1/widget/conversations, with a conversation)."""
    visitor = _visitor(sandbox)
    response = _call(sandbox, visitor, "GET", "conversations")
    assert response.status_code == 200
    assert response.json()["id"] == visitor.display_id
    assert response.json()["status"] == _conversation(sandbox, visitor.display_id)["status"] == "open"


def test_returns_the_conversation_when_the_inbox_is_disabled(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'returns the conversation when the inbox is
    disabled': reading the current conversation is not guarded by `ensure_inbox_active`."""
    visitor = _visitor(sandbox)
    _disable_inbox(sandbox, visitor.inbox_id)
    response = _call(sandbox, visitor, "GET", "conversations")
    assert response.status_code == 200
    assert response.json()["id"] == visitor.display_id


def test_returns_the_correct_conversation_params_with_an_invalid_source_id(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'returns the correct conversation params'
    (context 'with a conversation but invalid source id'): a signed token whose source id is no contact inbox of this
    widget (the sandbox's tokens are signed with its own key, so the token is another widget's session's)."""
    visitor = _visitor(sandbox)
    elsewhere = widget_session(sandbox, widget_inbox(sandbox, "Outra")["website_token"])
    response = _call(sandbox, visitor, "GET", "conversations", elsewhere["website_channel_config"]["auth_token"])
    assert response.status_code == 404


def test_does_not_create_a_conversation_when_the_inbox_is_disabled(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'does not create a conversation when the
    inbox is disabled': 403 with `inbox_disabled`, no conversation, and the contact left as it was."""
    visitor = _visitor(sandbox)
    _disable_inbox(sandbox, visitor.inbox_id)
    before = sandbox.control("GET", "state")["conversations"]
    response = _call(sandbox, visitor, "POST", "conversations", **_conversation_params())
    assert response.status_code == 403
    assert response.json() == {"error": "inbox_disabled", "message": "This inbox is currently disabled"}
    assert sandbox.control("GET", "state")["conversations"] == before
    assert _contact(sandbox, visitor.contact_id).json()["payload"]["email"] is None


def test_creates_a_conversation_with_correct_details(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'creates a conversation with correct
    details'."""
    visitor = _visitor(sandbox)
    response = _call(sandbox, visitor, "POST", "conversations", **_conversation_params())
    assert response.status_code == 200
    body = response.json()
    assert body["id"] is not None and body["id"] != visitor.display_id
    assert body["contact"]["email"] == "contact-email@chatwoot.com"
    assert body["contact"]["phone_number"] == "+919745313456"
    assert body["contact"]["name"] == "contact-name"
    assert _conversation(sandbox, body["id"])["meta"]["sender"]["id"] == visitor.contact_id


def test_creates_a_conversation_with_correct_message_and_custom_attributes(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'creates a conversation with correct
    message and custom attributes'."""
    visitor = _visitor(sandbox)
    response = _call(sandbox, visitor, "POST", "conversations", **_conversation_params())
    assert response.status_code == 200
    body = response.json()
    assert body["custom_attributes"]["order_id"] == "12345"
    assert body["messages"][0]["content"] == "This is a test message"
    assert body["messages"][0]["message_type"] == 0
    assert _conversation(sandbox, body["id"])["custom_attributes"] == {"order_id": "12345"}


def test_create_a_conversation_with_a_name_and_without_an_email(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'create a conversation with a name and
    without an email'."""
    visitor = _visitor(sandbox)
    params = {"contact": {"name": "alphy"}, "message": {"content": "This is a test message"}}
    response = _call(sandbox, visitor, "POST", "conversations", **params)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] is not None
    assert body["contact"]["email"] is None
    assert body["contact"]["name"] == "alphy"
    assert body["messages"][0]["content"] == "This is a test message"


def test_does_not_update_the_name_if_the_contact_already_exist(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'does not update the name if the contact
    already exist'."""
    visitor = _visitor(sandbox)
    existing = _new_contact(sandbox, name="Ana Lima", email="contact-email@chatwoot.com")
    response = _call(sandbox, visitor, "POST", "conversations", **_conversation_params())
    assert response.status_code == 200
    body = response.json()
    assert body["id"] is not None
    assert body["contact"]["email"] == existing["email"]
    assert body["contact"]["name"] != "contact-name" and body["contact"]["name"] == "Ana Lima"
    assert body["contact"]["phone_number"] == "+919745313456"
    assert body["custom_attributes"]["order_id"] == "12345"
    assert body["messages"][0]["content"] == "This is a test message"


def test_saves_contact_custom_attributes_on_the_widget_contact(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'saves contact custom attributes on the
    widget contact'."""
    visitor = _visitor(sandbox)
    contact = {"name": "contact-name", "email": "contact-email@chatwoot.com", "custom_attributes": {"cpf": "123.456"}}
    response = _call(sandbox, visitor, "POST", "conversations", contact=contact, message={"content": "Oi"})
    assert response.status_code == 200
    assert _contact(sandbox, visitor.contact_id).json()["payload"]["custom_attributes"]["cpf"] == "123.456"


def test_saves_contact_custom_attributes_on_the_surviving_contact_when_merged_into_an_existing_contact(
    sandbox: Sandbox,
) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'saves contact custom attributes on the
    surviving contact when merged into an existing contact'."""
    visitor = _visitor(sandbox)
    existing = _new_contact(
        sandbox, name="Ana Lima", email="contact-email@chatwoot.com", custom_attributes={"cpf": "old-value"}
    )
    contact = {"name": "contact-name", "email": existing["email"], "custom_attributes": {"cpf": "123.456.789-09"}}
    response = _call(sandbox, visitor, "POST", "conversations", contact=contact, message={"content": "Oi"})
    assert response.status_code == 200
    assert _contact(sandbox, visitor.contact_id).status_code == 404
    assert _contact(sandbox, existing["id"]).json()["payload"]["custom_attributes"]["cpf"] == "123.456.789-09"


def test_doesnt_not_add_phone_number_if_the_invalid_phone_number_is_provided(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'doesnt not add phone number if the
    invalid phone number is provided'."""
    visitor = _visitor(sandbox)
    existing = _new_contact(sandbox, name="Ana Lima", email="ana@example.com")
    contact = {"name": "contact-name-1", "email": existing["email"], "phone_number": "13456"}
    response = _call(sandbox, visitor, "POST", "conversations", contact=contact, message={"content": "Oi"})
    assert response.status_code == 200
    assert response.json()["contact"]["phone_number"] is None
    assert response.json()["contact"]["id"] == existing["id"]


def test_dispatches_the_correct_typing_status(sandbox: Sandbox, receiver: Receiver) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'dispatches the correct typing status',
    seen as the account webhook the dispatch becomes: the conversation, and the contact as the user."""
    visitor = _visitor(sandbox)
    subscribe(sandbox, receiver.url, ["conversation_typing_on"])
    response = _call(sandbox, visitor, "POST", "conversations/toggle_typing", typing_status="on")
    assert response.status_code == 200
    wait_for(lambda: receiver.events() == ["conversation_typing_on"])
    with receiver.lock:
        body = json.loads(receiver.received[0].body)
    assert body["conversation"]["id"] == visitor.display_id
    assert body["user"]["id"] == visitor.contact_id


def test_returns_the_correct_conversation_params_of_update_last_seen(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'returns the correct conversation params'
    (POST /api/v1/widget/conversations/update_last_seen). Conversations::UpdateMessageStatusJob, which the spec
    expects to be queued, is internal."""
    visitor = _visitor(sandbox)
    assert _conversation(sandbox, visitor.display_id)["contact_last_seen_at"] == 0
    response = _call(sandbox, visitor, "POST", "conversations/update_last_seen")
    assert response.status_code == 200
    assert _conversation(sandbox, visitor.display_id)["contact_last_seen_at"] > 0


def test_sends_transcript_email(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'sends transcript email': the status;
    the mailer the spec reads from its double (the conversation and the contact's e-mail) sends nothing here."""
    visitor = _visitor(sandbox)
    assert sandbox.api("PATCH", f"contacts/{visitor.contact_id}", json={"email": "test@test.com"}).status_code == 200
    response = _call(sandbox, visitor, "POST", "conversations/transcript")
    assert response.status_code == 200


def test_resolves_the_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'resolves the conversation', with the
    activity message naming the contact (the job's arguments seen as the message it writes)."""
    visitor = _visitor(sandbox)
    assert sandbox.api("PATCH", f"contacts/{visitor.contact_id}", json={"name": "Rita"}).status_code == 200
    assert _conversation(sandbox, visitor.display_id)["status"] == "open"
    response = _call(sandbox, visitor, "GET", "conversations/toggle_status")
    assert response.status_code == 200
    assert _conversation(sandbox, visitor.display_id)["status"] == "resolved"
    messages = sandbox.api("GET", f"conversations/{visitor.display_id}/messages").json()["payload"]
    activities = [m["content"] for m in messages if m["message_type"] == 2]
    assert activities == ["Conversation was resolved by Rita"]


def test_returns_action_not_permitted_status(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'returns action not permitted status'
    (the widget saved without the `end_conversation` feature)."""
    visitor = _visitor(sandbox)
    flags = {"channel": {"selected_feature_flags": ["attachments", "emoji_picker"]}}
    assert sandbox.api("PATCH", f"inboxes/{visitor.inbox_id}", json=flags).status_code == 200
    response = _call(sandbox, visitor, "GET", "conversations/toggle_status")
    assert response.status_code == 403
    assert _conversation(sandbox, visitor.display_id)["status"] == "open"


def test_returns_not_found_status(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'returns not found status' (a token
    without any conversation)."""
    visitor = _visitor(sandbox)
    empty = widget_session(sandbox, visitor.website_token)["website_channel_config"]["auth_token"]
    response = _call(sandbox, visitor, "GET", "conversations/toggle_status", empty)
    assert response.status_code == 404
    assert _conversation(sandbox, visitor.display_id)["status"] == "open"


def test_returns_unauthorized_on_set_custom_attributes(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'returns unauthorized' (POST
    /api/v1/widget/conversations/set_custom_attributes with an empty website token): a 404."""
    response = widget_request(sandbox, "POST", "conversations/set_custom_attributes", data={"website_token": ""})
    assert response.status_code == 404


def test_sets_the_values_when_provided(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'sets the values when provided' (POST
    /api/v1/widget/conversations/set_custom_attributes)."""
    visitor = _visitor(sandbox)
    path = "conversations/set_custom_attributes"
    response = _call(sandbox, visitor, "POST", path, custom_attributes={"product_name": "Chatwoot"})
    assert response.status_code == 204
    assert _conversation(sandbox, visitor.display_id)["custom_attributes"]["product_name"] == "Chatwoot"


def test_returns_unauthorized_on_destroy_custom_attributes(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'returns unauthorized' (POST
    /api/v1/widget/conversations/destroy_custom_attributes with an empty website token): a 404."""
    response = widget_request(sandbox, "POST", "conversations/destroy_custom_attributes", data={"website_token": ""})
    assert response.status_code == 404


def test_sets_the_values_when_provided_on_destroy_custom_attributes(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/widget/conversations_controller_spec.rb: it 'sets the values when provided' (POST
    /api/v1/widget/conversations/destroy_custom_attributes): the named attribute is gone, the others stay."""
    visitor = _visitor(sandbox)
    values = {"custom_attributes": {"product_name": "Chatwoot", "plan": "pro"}}
    assert sandbox.api("POST", f"conversations/{visitor.display_id}/custom_attributes", json=values).status_code == 200
    path = "conversations/destroy_custom_attributes"
    response = _call(sandbox, visitor, "POST", path, custom_attribute=["product_name"])
    assert response.status_code == 200
    assert response.json()["display_id"] == visitor.display_id
    assert response.json()["custom_attributes"] == {"plan": "pro"}
    assert _conversation(sandbox, visitor.display_id)["custom_attributes"] == {"plan": "pro"}
