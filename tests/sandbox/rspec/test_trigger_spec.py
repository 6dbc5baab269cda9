"""Ports of spec/lib/webhooks/trigger_spec.rb: the POST a webhook URL receives, and what a failed bot delivery does."""

from __future__ import annotations

import json

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
