"""Ports of spec/controllers/api/v1/accounts/conversations_controller_spec.rb for mute, unmute, transcript and
attachments (ConversationsController's actions beyond the toggles), over HTTP."""

from __future__ import annotations

import pytest

from tests.conftest import Sandbox

from .support import PNG, SITE_PENDING, anonymous, fetch, state_conv
from .support import token as tok

SIGN_IN = {"errors": ["You need to sign in or sign up before continuing."]}


def _show(box: Sandbox, display_id: int) -> dict[str, object]:
    response = box.api("GET", f"conversations/{display_id}")
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "conversations/1/mute"),
        ("POST", "conversations/1/unmute"),
        ("POST", "conversations/1/transcript"),
        ("GET", "conversations/1/attachments"),
    ],
)
def test_returns_unauthorized(sandbox: Sandbox, method: str, path: str) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'returns unauthorized', in the mute,
    unmute, transcript and attachments describes."""
    response = anonymous(sandbox, method, path)
    assert response.status_code == 401
    assert response.json() == SIGN_IN
    assert state_conv(sandbox, 1)["status"] != "resolved"


def test_mutes_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'mutes conversation' (an agent of the
    inbox)."""
    response = sandbox.api("POST", "conversations/1/mute", token=tok(sandbox, "bruno"))
    assert response.status_code == 200 and response.content == b""
    assert state_conv(sandbox, 1)["status"] == "resolved"
    shown = _show(sandbox, 1)
    assert shown["muted"] is True and shown["status"] == "resolved"
    contents = [m["content"] for m in state_conv(sandbox, 1)["messages"]]
    assert "Bruno Agente has muted the conversation" in contents


def test_unmutes_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'unmutes conversation' (muted first,
    as the spec's `tap(&:mute!)`)."""
    assert sandbox.api("POST", "conversations/1/mute").status_code == 200
    response = sandbox.api("POST", "conversations/1/unmute", token=tok(sandbox, "bruno"))
    assert response.status_code == 200 and response.content == b""
    assert _show(sandbox, 1)["muted"] is False


def test_renders_error_when_parameter_missing(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'renders error when parameter
    missing'."""
    response = sandbox.api("POST", "conversations/1/transcript", token=tok(sandbox, "bruno"), json={})
    assert response.status_code == 422
    assert response.json() == {"error": "email param missing"}
    sent = sandbox.api("POST", "conversations/1/transcript", token=tok(sandbox, "bruno"), json={"email": "a@b.com"})
    assert sent.status_code == 200


def test_does_not_return_the_attachments_if_you_do_not_have_access_to_it(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'does not return the attachments if
    you do not have access to it' (Carla is not an agent of the Site inbox)."""
    response = sandbox.api("GET", f"conversations/{SITE_PENDING}/attachments", token=tok(sandbox, "carla"))
    assert response.status_code == 401
    assert response.json() == {"error": "You are not authorized to do this action"}
    assert sandbox.api("GET", f"conversations/{SITE_PENDING}/attachments").json() == {"payload": []}  # none yet


def _incoming_with_attachment(box: Sandbox) -> dict[str, object]:
    """The spec's `create(:message, :with_attachment, message_type: 'incoming')` on the Site conversation."""
    response = box.api(
        "POST",
        f"conversations/{SITE_PENDING}/messages",
        data={"content": "foto", "message_type": "incoming"},
        files={"attachments[]": ("avatar.png", PNG, "image/png")},
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_return_the_attachments_if_you_are_an_administrator(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'return the attachments if you are an
    administrator'."""
    message = _incoming_with_attachment(sandbox)
    response = sandbox.api("GET", f"conversations/{SITE_PENDING}/attachments")
    assert response.status_code == 200
    first = response.json()["payload"][0]
    assert first["file_type"] == "image"
    assert first["sender"]["id"] == message["sender"]["id"]  # the contact who sent it
    assert first["message_id"] == message["id"] and fetch(first["data_url"]).content == PNG


def test_return_the_attachments_if_you_are_an_agent_with_access_to_inbox(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations_controller_spec.rb: it 'return the attachments if you are an
    agent with access to inbox' (the spec sends the administrator's token; Bruno is an agent of the Site inbox)."""
    _incoming_with_attachment(sandbox)
    response = sandbox.api("GET", f"conversations/{SITE_PENDING}/attachments", token=tok(sandbox, "bruno"))
    assert response.status_code == 200
    assert len(response.json()["payload"]) == 1
