"""Ports of spec/listeners/webhook_listener_spec.rb's API channel contexts that need an inbox with a webhook URL,
created through `POST /inboxes`: what the channel's URL receives, signed with the channel's secret."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from tests.conftest import Sandbox
from tests.sandbox.conftest import Received, Receiver, deliveries, wait_for

from .support import public


def _api_inbox(box: Sandbox, url: str) -> dict[str, Any]:
    response = box.api("POST", "inboxes", json={"name": "Canal API", "channel": {"type": "api", "webhook_url": url}})
    assert response.status_code == 200, response.text
    return response.json()


def _received(receiver: Receiver, event: str) -> list[Received]:
    with receiver.lock:
        return [r for r in receiver.received if json.loads(r.body)["event"] == event]


def _conversation(box: Sandbox, inbox: dict[str, Any]) -> int:
    """A contact and a conversation on the new inbox, through its public API."""
    identifier = inbox["inbox_identifier"]
    contact = public(box, "POST", f"{identifier}/contacts", json={"name": "Cliente do canal"})
    assert contact.status_code == 200, contact.text
    source_id = contact.json()["source_id"]
    conv = public(box, "POST", f"{identifier}/contacts/{source_id}/conversations", json={})
    assert conv.status_code == 200, conv.text
    return conv.json()["id"]


@pytest.mark.parametrize("event", ["message_created", "conversation_created"])
def test_triggers_webhook_if_webhook_url_is_present(sandbox: Sandbox, receiver: Receiver, event: str) -> None:
    """spec/listeners/webhook_listener_spec.rb: it 'triggers webhook if webhook_url is present' (an API inbox made
    with `POST /inboxes`, for message_created, an outgoing message, and conversation_created)."""
    inbox = _api_inbox(sandbox, receiver.url)
    display_id = _conversation(sandbox, inbox)
    if event == "message_created":
        sent = sandbox.api("POST", f"conversations/{display_id}/messages", json={"content": "Olá, canal!"})
        assert sent.status_code == 200, sent.text
    found = wait_for(lambda: _received(receiver, event))
    body = json.loads(found[0].body)
    if event == "message_created":
        assert body["id"] == sent.json()["id"] and body["message_type"] == "outgoing"
    else:
        assert body["id"] == display_id and body["inbox_id"] == inbox["id"]
    headers = found[0].headers
    signed = headers["x-chatwoot-timestamp"].encode() + b"." + found[0].body
    expected = "sha256=" + hmac.new(inbox["secret"].encode(), signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-chatwoot-signature"], expected)
    assert deliveries(sandbox, kind="api_inbox", event=event)
