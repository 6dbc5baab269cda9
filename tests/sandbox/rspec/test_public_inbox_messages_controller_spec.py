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
