"""Ports of spec/builders/messages/message_builder_spec.rb, seen through POST .../messages (MessageBuilder's caller)."""

from __future__ import annotations

import json

import httpx2
import pytest

from tests.conftest import Sandbox

from .support import PNG, fetch, last_message, state_conv
from .support import token as tok


def _create(box: Sandbox, **body: object) -> dict:
    response = box.api("POST", "conversations/1/messages", token=tok(box, "bruno"), json=body)
    assert response.status_code == 200, response.text
    return next(m for m in state_conv(box, 1)["messages"] if m["id"] == response.json()["id"])


def test_creates_a_message(sandbox: Sandbox) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'creates a message'."""
    assert _create(sandbox, content="test")["content"] == "test"


@pytest.mark.parametrize("as_string", [True, False])
def test_content_attributes_in_reply_to(sandbox: Sandbox, as_string: bool) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'parses content_attributes from JSON string' and it 'uses
    content_attributes as provided' (a hash)."""
    replied = state_conv(sandbox, 1)["messages"][0]["id"]
    attributes: object = {"in_reply_to": replied}
    message = _create(sandbox, content="test", content_attributes=json.dumps(attributes) if as_string else attributes)
    assert message["content_attributes"]["in_reply_to"] == replied


@pytest.mark.parametrize("extra", [{}, {"content_attributes": None}, {"content_attributes": "invalid_json"}])
def test_defaults_to_an_empty_hash(sandbox: Sandbox, extra: dict) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'defaults to an empty hash' (content_attributes absent,
    nil, or an invalid JSON string)."""
    assert _create(sandbox, content="test", **extra)["content_attributes"] == {}


def test_creates_message_when_channel_is_api(sandbox: Sandbox) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'creates message when channel is api' (every sandbox
    inbox is an API inbox)."""
    message = _create(sandbox, content="test", message_type="incoming")
    assert message["message_type"] == "incoming" and message["sender_type"] == "Contact"


def test_rejects_the_message(sandbox: Sandbox) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'rejects the message' (forwarding in a non email inbox)."""
    replied = state_conv(sandbox, 1)["messages"][0]["id"]
    before = len(state_conv(sandbox, 1)["messages"])
    response = sandbox.api(
        "POST",
        "conversations/1/messages",
        token=tok(sandbox, "bruno"),
        json={
            "content": "test",
            "to_emails": "vendor@example.com",
            "content_attributes": json.dumps({"forwarded_message_id": replied}),
        },
    )
    assert response.status_code == 422
    assert response.json() == {"error": "Forwarded emails need an email inbox"}
    assert len(state_conv(sandbox, 1)["messages"]) == before


def test_does_not_process_liquid_for_incoming_messages(sandbox: Sandbox) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'does not process liquid for incoming messages'."""
    assert _create(sandbox, content="Hello {{contact.name}}", message_type="incoming")["content"] == (
        "Hello {{contact.name}}"
    )


def test_creates_message_with_attachments(sandbox: Sandbox) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'creates message with attachments' (an uploaded file)."""
    response = sandbox.api(
        "POST",
        "conversations/1/messages",
        token=tok(sandbox, "bruno"),
        data={"content": "test"},
        files={"attachments[]": ("avatar.png", PNG, "image/png")},
    )
    assert response.status_code == 200, response.text
    assert [a["file_type"] for a in last_message(sandbox, 1)["attachments"]] == ["image"]


def test_creates_message_with_attachments_from_a_direct_upload(sandbox: Sandbox) -> None:
    """spec/builders/messages/message_builder_spec.rb: it 'creates message with attachments' (DIRECT_UPLOAD_ENABLED:
    the attachment is a blob's signed id, made by a direct upload and filled by a PUT)."""
    blob = {"filename": "avatar.png", "byte_size": len(PNG), "checksum": "x", "content_type": "image/png"}
    made = sandbox.api("POST", "conversations/1/direct_uploads", token=tok(sandbox, "bruno"), json={"blob": blob})
    assert made.status_code == 200, made.text
    upload = made.json()["direct_upload"]
    assert httpx2.put(upload["url"], content=PNG, headers=upload["headers"], timeout=10).status_code == 204
    response = sandbox.api(
        "POST",
        "conversations/1/messages",
        token=tok(sandbox, "bruno"),
        json={"content": "test", "attachments": [made.json()["signed_id"]]},
    )
    assert response.status_code == 200, response.text
    attachment = last_message(sandbox, 1)["attachments"][0]
    assert attachment["file_type"] == "image"
    assert fetch(attachment["data_url"]).content == PNG
