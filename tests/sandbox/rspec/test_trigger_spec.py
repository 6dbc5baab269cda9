"""Ports of spec/lib/webhooks/trigger_spec.rb: the POST a webhook URL receives, and what a failed bot delivery does."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Sandbox
from tests.sandbox.conftest import Receiver, deliveries, wait_for

from .support import state_conv, subscribe

FAILURE_TEXT = "Conversation was marked open by system due to an error with the agent bot."


def test_triggers_webhook(sandbox: Sandbox, receiver: Receiver) -> None:
    """spec/lib/webhooks/trigger_spec.rb: it 'triggers webhook' (a JSON POST, JSON accepted, the payload as body)."""
    subscribe(sandbox, receiver.url, ["conversation_created"])
    sandbox.api("POST", "conversations", json={"inbox_id": 1, "contact_id": 11})
    wait_for(lambda: receiver.received)
    with receiver.lock:
        hit = receiver.received[0]
    assert hit.headers["content-type"] == "application/json" and hit.headers["accept"] == "application/json"
    sent = deliveries(sandbox, kind="account")[0]
    assert json.loads(hit.body) == sent["payload"]


def test_reopens_conversation_and_enqueues_activity_message_for_non_retryable_failures_when_pending(
    bot_box: Sandbox, receiver: Receiver
) -> None:
    """spec/lib/webhooks/trigger_spec.rb: it 'reopens conversation and enqueues activity message for non-retryable
    failures when pending' (later version; the message keeps its status)."""
    receiver.statuses.extend([404])
    response = bot_box.api("POST", "conversations/1/messages", json={"content": "oi", "message_type": "incoming"})
    message_id = response.json()["id"]
    wait_for(lambda: state_conv(bot_box, 1)["status"] == "open")
    conv = state_conv(bot_box, 1)
    assert conv["messages"][-1]["message_type"] == "activity" and conv["messages"][-1]["content"] == FAILURE_TEXT
    assert next(m for m in conv["messages"] if m["id"] == message_id)["status"] == "sent"


def test_does_not_update_message_status_when_conversation_is_not_pending(bot_box: Sandbox, receiver: Receiver) -> None:
    """spec/lib/webhooks/trigger_spec.rb: it 'does not update message status when conversation is not pending'."""
    receiver.statuses.extend([404])
    message_id = bot_box.api("POST", "conversations/3/messages", json={"content": "oi"}).json()["id"]
    wait_for(lambda: all(d["done"] for d in deliveries(bot_box, message_id=message_id)))
    assert deliveries(bot_box, message_id=message_id)[0]["status"] == 404
    conv = state_conv(bot_box, 3)
    assert conv["status"] == "open"
    assert next(m for m in conv["messages"] if m["id"] == message_id)["status"] == "sent"
    assert FAILURE_TEXT not in [m["content"] for m in conv["messages"]]


def _last_message(box: Sandbox, display_id: int, message_id: int) -> dict[str, Any]:
    rows = box.api("GET", f"conversations/{display_id}/messages").json()["payload"]
    return next(m for m in rows if m["id"] == message_id)


def test_updates_message_status_if_webhook_fails_for_message_created_event(
    inbox_box: Sandbox, receiver: Receiver
) -> None:
    """spec/lib/webhooks/trigger_spec.rb: it 'updates message status if webhook fails for message-created event'
    (the API inbox's webhook URL answers 404)."""
    receiver.statuses.extend([404, 404])
    message_id = inbox_box.api("POST", "conversations/1/messages", json={"content": "oi"}).json()["id"]
    wait_for(lambda: _last_message(inbox_box, 1, message_id)["status"] == "failed")
    message = _last_message(inbox_box, 1, message_id)
    assert message["content_attributes"]["external_error"] == "404 Not Found"


def test_updates_message_status_if_webhook_fails_for_message_updated_event(
    inbox_box: Sandbox, receiver: Receiver
) -> None:
    """spec/lib/webhooks/trigger_spec.rb: it 'updates message status if webhook fails for message-updated event'
    (message_created is delivered; the message_updated of a status change is refused)."""
    message_id = inbox_box.api("POST", "conversations/1/messages", json={"content": "oi"}).json()["id"]
    wait_for(lambda: "message_created" in receiver.events())
    receiver.statuses.extend([422, 422])
    inbox_box.api("PATCH", f"conversations/1/messages/{message_id}", json={"status": "delivered"})
    wait_for(lambda: _last_message(inbox_box, 1, message_id)["status"] == "failed")
    message = _last_message(inbox_box, 1, message_id)
    assert message["content_attributes"]["external_error"] == "422 Unprocessable Entity"


def test_does_not_update_message_status_if_webhook_fails_for_other_events(
    inbox_box: Sandbox, receiver: Receiver
) -> None:
    """spec/lib/webhooks/trigger_spec.rb: it 'does not update message status if webhook fails for other events'
    (a conversation_status_changed delivery is refused)."""
    message_id = inbox_box.api("POST", "conversations/1/messages", json={"content": "oi"}).json()["id"]
    wait_for(lambda: "message_created" in receiver.events())
    receiver.statuses.append(500)  # the next delivery, the status change's first event
    inbox_box.api("POST", "conversations/1/toggle_status", json={"status": "resolved"})
    wait_for(lambda: [d for d in deliveries(inbox_box, kind="api_inbox") if d["status"] == 500 and d["done"]])
    failed = [d for d in deliveries(inbox_box, kind="api_inbox") if d["status"] == 500]
    assert [d["event"] for d in failed] == ["conversation_status_changed"]
    assert _last_message(inbox_box, 1, message_id)["status"] == "sent"
