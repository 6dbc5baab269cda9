"""Ports of spec/controllers/api/v1/accounts/conversations/messages_controller_spec.rb over HTTP."""

from __future__ import annotations

import time

import pytest

from tests.conftest import Sandbox

from .support import PNG, SITE, anonymous, detach_bot, fetch, last_message, new_conversation, state_conv
from .support import token as tok


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "conversations/1/messages"),
        ("GET", "conversations/1/messages"),
        ("DELETE", "conversations/3/messages/1008"),
    ],
)
def test_returns_unauthorized(sandbox: Sandbox, method: str, path: str) -> None:
    """spec/controllers/api/v1/accounts/conversations/messages_controller_spec.rb: it 'returns unauthorized' (POST,
    GET and DELETE)."""
    response = anonymous(sandbox, method, path)
    assert response.status_code == 401
    assert len(state_conv(sandbox, 1)["messages"]) == 1


def test_creates_a_new_outgoing_message(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/messages_controller_spec.rb: it 'creates a new outgoing
    message' (an agent with access, a private note)."""
    before = len(state_conv(sandbox, 1)["messages"])
    response = sandbox.api(
        "POST",
        "conversations/1/messages",
        token=tok(sandbox, "bruno"),
        json={"content": "test-message", "private": True},
    )
    assert response.status_code == 200
    messages = state_conv(sandbox, 1)["messages"]
    assert len(messages) == before + 1 and messages[-1]["content"] == "test-message"


def test_does_not_create_the_message(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/messages_controller_spec.rb: it 'does not create the
    message' (content over 150,000 characters)."""
    before = len(state_conv(sandbox, 1)["messages"])
    response = sandbox.api(
        "POST",
        "conversations/1/messages",
        token=tok(sandbox, "bruno"),
        json={"content": "h" * 150_000 + "a", "private": True},
    )
    assert response.status_code == 422
    assert response.json()["error"] == "Validation failed: Content is too long (maximum is 150000 characters)"
    assert len(state_conv(sandbox, 1)["messages"]) == before


def test_creates_an_outgoing_text_message_with_a_specific_bot_sender(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/messages_controller_spec.rb: it 'creates an outgoing text
    message with a specific bot sender'."""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    response = sandbox.api(
        "POST",
        "conversations/1/messages",
        token=tok(sandbox, "bruno"),
        json={
            "content": "test-message",
            "external_created_at": stamp,
            "sender_type": "AgentBot",
            "sender_id": sandbox.agent_bot_id,
        },
    )
    assert response.status_code == 200
    assert response.json()["content_attributes"]["external_created_at"] == stamp
    last = state_conv(sandbox, 1)["messages"][-1]
    assert last["sender_type"] == "AgentBot" and last["sender_id"] == sandbox.agent_bot_id
    assert last["content_type"] == "text"


def test_creates_a_new_outgoing_message_as_an_agent_bot(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/messages_controller_spec.rb: it 'creates a new outgoing
    message' (an AgentBot token on its inbox)."""
    response = sandbox.api(
        "POST", "conversations/1/messages", token=sandbox.bot_token, json={"content": "test-message"}
    )
    assert response.status_code == 200
    last = state_conv(sandbox, 1)["messages"][-1]
    assert last["content"] == "test-message" and last["sender_type"] == "AgentBot"


@pytest.mark.parametrize(
    ("content_type", "items"),
    [
        ("input_select", [{"title": "Sim", "value": "sim"}, {"title": "Não", "value": "nao"}]),
        (
            "cards",
            [
                {
                    "title": "Plano",
                    "description": "Mensal",
                    "actions": [{"type": "link", "text": "Ver", "uri": "https://example.com"}],
                }
            ],
        ),
    ],
)
def test_creates_a_new_outgoing_interactive_message(sandbox: Sandbox, content_type: str, items: list) -> None:
    """spec/controllers/api/v1/accounts/conversations/messages_controller_spec.rb: it 'creates a new outgoing
    input select message' and it 'creates a new outgoing cards message' (AgentBot token)."""
    before = len(state_conv(sandbox, 1)["messages"])
    response = sandbox.api(
        "POST",
        "conversations/1/messages",
        token=sandbox.bot_token,
        json={"content_type": content_type, "content_attributes": {"items": items}},
    )
    assert response.status_code == 200
    messages = state_conv(sandbox, 1)["messages"]
    assert len(messages) == before + 1
    assert messages[-1]["content_type"] == content_type and messages[-1]["content"] is None
    assert messages[-1]["content_attributes"] == {"items": items}


def test_shows_the_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/messages_controller_spec.rb: it 'shows the conversation'."""
    response = sandbox.api("GET", "conversations/1/messages", token=tok(sandbox, "bruno"))
    assert response.status_code == 200
    assert response.json()["meta"]["contact"]["id"] == state_conv(sandbox, 1)["contact_id"]


def test_deletes_the_message(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/messages_controller_spec.rb: it 'deletes the message'."""
    created = sandbox.api(
        "POST",
        "conversations/1/messages",
        json={"content": "olá", "content_attributes": {"bcc_emails": ["hello@chatwoot.com"]}},
    )
    message_id = created.json()["id"]
    response = sandbox.api("DELETE", f"conversations/1/messages/{message_id}", token=tok(sandbox, "bruno"))
    assert response.status_code == 200
    stored = next(m for m in state_conv(sandbox, 1)["messages"] if m["id"] == message_id)
    assert stored["content"] == "This message was deleted"
    assert stored["content_attributes"].get("deleted") is True
    assert stored["content_attributes"].get("bcc_emails") is None


def test_returns_not_found_error(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/messages_controller_spec.rb: it 'returns not found error'."""
    response = sandbox.api("DELETE", "conversations/1/messages/99999", token=tok(sandbox, "bruno"))
    assert response.status_code == 404


def test_reopens_the_conversation_with_new_incoming_message(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/messages_controller_spec.rb: it 'reopens the conversation with
    new incoming message' (an API inbox with no bot: the activity says the system reopened it)."""
    detach_bot(sandbox, SITE)
    display_id = new_conversation(sandbox, SITE)["id"]
    sandbox.api("POST", f"conversations/{display_id}/messages", json={"content": "olá"})
    sandbox.api("POST", f"conversations/{display_id}/toggle_status", json={"status": "resolved"})
    response = sandbox.api(
        "POST",
        f"conversations/{display_id}/messages",
        token=tok(sandbox, "bruno"),
        json={"content": "test-message", "private": False, "message_type": "incoming"},
    )
    assert response.status_code == 200
    conv = state_conv(sandbox, display_id)
    assert conv["status"] == "open"
    incoming = next(i for i, m in enumerate(conv["messages"]) if m["id"] == response.json()["id"])
    after = [(m["message_type"], m["content"]) for m in conv["messages"][incoming + 1 :]]
    assert after == [("activity", "System reopened the conversation due to a new incoming message.")]


def test_creates_a_new_outgoing_message_with_attachment(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/messages_controller_spec.rb: it 'creates a new outgoing
    message with attachment' (multipart, as the spec's fixture_file_upload)."""
    response = sandbox.api(
        "POST",
        "conversations/1/messages",
        token=tok(sandbox, "bruno"),
        data={"content": "test-message"},
        files={"attachments[]": ("avatar.png", PNG, "image/png")},
    )
    assert response.status_code == 200, response.text
    attachment = last_message(sandbox, 1)["attachments"][0]
    assert attachment["file_type"] == "image"
    assert response.json()["attachments"][0]["id"] == attachment["id"]
    assert fetch(attachment["data_url"]).content == PNG  # the file is present
