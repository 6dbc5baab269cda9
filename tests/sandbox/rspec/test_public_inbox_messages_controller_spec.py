"""Ports of spec/controllers/public/api/v1/inbox/messages_controller_spec.rb over HTTP."""

from __future__ import annotations

from tests.conftest import Sandbox

from .support import PNG, fetch, last_message, public, public_contact, state_conv


def _conversation(box: Sandbox) -> str:
    identifier, contact = public_contact(box, phone_number="+324234324", email="dfsadf@sfsda.com")
    base = f"{identifier}/contacts/{contact['source_id']}/conversations"
    conv = public(box, "POST", base).json()
    return f"{base}/{conv['id']}/messages"


def test_return_the_messages_for_that_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/public/api/v1/inbox/messages_controller_spec.rb: it 'return the messages for that
    conversation'."""
    path = _conversation(sandbox)
    for content in ("um", "dois"):
        public(sandbox, "POST", path, json={"content": content})
    response = public(sandbox, "GET", path)
    assert response.status_code == 200 and len(response.json()) == 2


def test_creates_a_message_in_the_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/public/api/v1/inbox/messages_controller_spec.rb: it 'creates a message in the
    conversation'."""
    response = public(sandbox, "POST", _conversation(sandbox), json={"content": "hello"})
    assert response.status_code == 200 and response.json()["content"] == "hello"


def test_does_not_create_the_message(sandbox: Sandbox) -> None:
    """spec/controllers/public/api/v1/inbox/messages_controller_spec.rb: it 'does not create the message' (content
    over 150,000 characters)."""
    path = _conversation(sandbox)
    response = public(sandbox, "POST", path, json={"content": "h" * 150_000 + "a"})
    assert response.status_code == 422
    assert response.json()["message"] == "Content is too long (maximum is 150000 characters)"
    display_id = int(path.split("/")[-2])
    assert state_conv(sandbox, display_id)["messages"] == []


def test_creates_attachment_message_in_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/public/api/v1/inbox/messages_controller_spec.rb: it 'creates attachment message in
    conversation'."""
    path = _conversation(sandbox)
    response = public(
        sandbox, "POST", path, data={"content": "hello"}, files={"attachments[]": ("avatar.png", PNG, "image/png")}
    )
    assert response.status_code == 200, response.text
    assert response.json()["content"] == "hello"
    attachment = last_message(sandbox, int(path.split("/")[-2]))["attachments"][0]
    assert attachment["file_type"] == "image"
    assert fetch(attachment["data_url"]).content == PNG


def _agent_message(box: Sandbox, path: str, **fields: object) -> int:
    """The spec's `create(:message, ...)` in the public conversation, written through the account API."""
    display_id = int(path.split("/")[-2])
    response = box.api("POST", f"conversations/{display_id}/messages", json={"content": "Pesquisa", **fields})
    assert response.status_code == 200, response.text
    return response.json()["id"]


CSAT = {"csat_survey_response": {"rating": 4, "feedback_message": "amazing experience"}}


def test_updates_a_message_in_the_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/public/api/v1/inbox/messages_controller_spec.rb: it 'updates a message in the
    conversation' (form params, as the spec sends them)."""
    path = _conversation(sandbox)
    message_id = _agent_message(sandbox, path)
    response = public(sandbox, "PATCH", f"{path}/{message_id}", data={"submitted_values[][title]": "test"})
    assert response.status_code == 200, response.text
    assert response.json()["content_attributes"]["submitted_values"][0]["title"] == "test"


def test_updates_csat_survey_response_for_the_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/public/api/v1/inbox/messages_controller_spec.rb: it 'updates CSAT survey response for the
    conversation'."""
    path = _conversation(sandbox)
    message_id = _agent_message(sandbox, path, content_type="input_csat")
    response = public(sandbox, "PATCH", f"{path}/{message_id}", json={"submitted_values": CSAT})
    assert response.status_code == 200, response.text
    survey = response.json()["content_attributes"]["submitted_values"]["csat_survey_response"]
    assert survey["feedback_message"] == "amazing experience"
    assert survey["rating"] == 4


def test_returns_update_error_if_csat_message_sent_more_than_14_days(sandbox: Sandbox) -> None:
    """spec/controllers/public/api/v1/inbox/messages_controller_spec.rb: it 'returns update error if CSAT message
    sent more than 14 days' (the sandbox's clock moves 15 days on instead of back-dating the message)."""
    path = _conversation(sandbox)
    message_id = _agent_message(sandbox, path, content_type="input_csat")
    sandbox.control("POST", "clock", json={"advance": 15 * 86400})
    response = public(sandbox, "PATCH", f"{path}/{message_id}", json={"submitted_values": CSAT})
    assert response.status_code == 422
    assert response.json() == {"error": "You cannot update the CSAT survey after 14 days"}


def test_ignores_sender_identifier_for_non_group_conversations(sandbox: Sandbox) -> None:
    """spec/controllers/public/api/v1/inbox/messages_controller_spec.rb: it 'ignores sender_identifier for non-group
    conversations' (the account has a contact `member-001`; the conversation is the contact's own)."""
    member = sandbox.api("POST", "contacts", json={"name": "Membro", "identifier": "member-001"})
    assert member.status_code == 200, member.text
    identifier, contact = public_contact(sandbox, name="Cliente")
    base = f"{identifier}/contacts/{contact['source_id']}/conversations"
    display_id = public(sandbox, "POST", base).json()["id"]
    response = public(
        sandbox, "POST", f"{base}/{display_id}/messages", json={"content": "hello", "sender_identifier": "member-001"}
    )
    assert response.status_code == 200, response.text
    sender = last_message(sandbox, display_id)["sender"]
    assert sender["id"] == contact["id"] and sender["type"] == "contact"
