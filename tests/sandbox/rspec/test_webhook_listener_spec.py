"""Ports of spec/listeners/webhook_listener_spec.rb: what an account webhook's URL receives, over real HTTP."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Sandbox
from tests.sandbox.conftest import Receiver, deliveries, wait_for

from .support import WHATSAPP, new_conversation, public_contact, subscribe


def _bodies(receiver: Receiver, event: str) -> list[dict[str, Any]]:
    with receiver.lock:
        found = [json.loads(r.body) for r in receiver.received]
    return [b for b in found if b["event"] == event]


def _message(box: Sandbox) -> Any:
    return box.api("POST", "conversations/1/messages", json={"content": "olá"}).json()["id"]


def _contact(box: Sandbox) -> Any:
    return public_contact(box)[1]["id"]


def _conversation(box: Sandbox) -> Any:
    return new_conversation(box, WHATSAPP)["id"]


def _custom(box: Sandbox) -> Any:
    # a new value each time, so every call is a change
    box.api("POST", "conversations/1/custom_attributes", json={"custom_attributes": {"test": str(uuid.uuid4())}})
    return 1


ACTIONS: dict[str, Callable[[Sandbox], Any]] = {
    "message_created": _message,
    "contact_created": _contact,
    "conversation_created": _conversation,
    "conversation_updated": _custom,
}


@pytest.mark.parametrize("event", list(ACTIONS))
def test_does_not_trigger_webhook(sandbox: Sandbox, receiver: Receiver, event: str) -> None:
    """spec/listeners/webhook_listener_spec.rb: it 'does not trigger webhook' (no account webhook), for
    message_created, contact_created, conversation_created and conversation_updated."""
    ACTIONS[event](sandbox)
    assert deliveries(sandbox, kind="account") == []
    subscribe(sandbox, receiver.url, [event])  # the same action with a webhook does reach it
    ACTIONS[event](sandbox)
    wait_for(lambda: _bodies(receiver, event))
    assert len(deliveries(sandbox, kind="account")) == 1


def test_triggers_the_webhook_event(sandbox: Sandbox, receiver: Receiver) -> None:
    """spec/listeners/webhook_listener_spec.rb: it 'triggers the webhook event' (message_created; the webhook names
    an inbox)."""
    response = sandbox.api(
        "POST",
        "webhooks",
        json={"webhook": {"url": receiver.url, "inbox_id": WHATSAPP, "subscriptions": ["message_created"]}},
    )
    assert response.status_code == 200
    message_id = _message(sandbox)
    wait_for(lambda: _bodies(receiver, "message_created"))
    body = _bodies(receiver, "message_created")[0]
    assert body["id"] == message_id and body["content"] == "olá" and body["conversation"]["id"] == 1


def test_does_not_trigger_the_webhook_event(sandbox: Sandbox, receiver: Receiver) -> None:
    """spec/listeners/webhook_listener_spec.rb: it 'does not trigger the webhook event' (subscribed to
    conversation_created only)."""
    subscribe(sandbox, receiver.url, ["conversation_created"])
    _message(sandbox)
    _conversation(sandbox)
    wait_for(lambda: _bodies(receiver, "conversation_created"))
    assert receiver.events() == ["conversation_created"]


@pytest.mark.parametrize("event", ["message_created", "conversation_created"])
def test_does_not_trigger_webhook_if_webhook_url_is_not_present(
    sandbox: Sandbox, receiver: Receiver, event: str
) -> None:
    """spec/listeners/webhook_listener_spec.rb: it 'does not trigger webhook if webhook_url is not present' (API
    inboxes without a webhook URL), for message_created and conversation_created."""
    subscribe(sandbox, receiver.url, [event])
    ACTIONS[event](sandbox)
    wait_for(lambda: _bodies(receiver, event))
    assert deliveries(sandbox, kind="api_inbox") == []


def test_triggers_webhook(sandbox: Sandbox, receiver: Receiver) -> None:
    """spec/listeners/webhook_listener_spec.rb: it 'triggers webhook' (contact_created, conversation_created and
    conversation_updated with its changed custom attributes)."""
    subscribe(sandbox, receiver.url, ["contact_created", "conversation_created", "conversation_updated"])
    contact_id = _contact(sandbox)
    display_id = _conversation(sandbox)
    sandbox.api("POST", "conversations/1/custom_attributes", json={"custom_attributes": {"test": None}})
    sandbox.api(
        "POST",
        "conversations/1/custom_attributes",
        json={"custom_attributes": {"test": "testing custom attri webhook"}},
    )
    wait_for(lambda: len(_bodies(receiver, "conversation_updated")) == 2)
    assert _bodies(receiver, "contact_created")[0]["id"] == contact_id
    assert _bodies(receiver, "conversation_created")[0]["id"] == display_id
    updated = _bodies(receiver, "conversation_updated")[1]
    assert updated["id"] == 1
    assert updated["changed_attributes"][0] == {
        "custom_attributes": {
            "previous_value": {"test": None},
            "current_value": {"test": "testing custom attri webhook"},
        }
    }


@pytest.mark.parametrize("event", ["message_created", "conversation_created"])
def test_triggers_webhook_if_webhook_url_is_present(inbox_box: Sandbox, receiver: Receiver, event: str) -> None:
    """spec/listeners/webhook_listener_spec.rb: it 'triggers webhook if webhook_url is present' (an API inbox with a
    webhook URL and no account webhook), for message_created and conversation_created."""
    ACTIONS[event](inbox_box)
    wait_for(lambda: _bodies(receiver, event))
    sent = [d for d in deliveries(inbox_box, kind="api_inbox") if d["event"] == event]
    assert len(sent) == 1 and deliveries(inbox_box, kind="account") == []
    assert _bodies(receiver, event)[0]["event"] == event
