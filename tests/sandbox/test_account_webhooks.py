"""The account webhook a dashboard registers: which events arrive and exactly when (app/listeners/webhook_listener.rb,
Conversation#notify_status_change and #notify_conversation_updation with `list_of_keys`, Message#webhook_sendable?,
spec/listeners/webhook_listener_spec.rb), signed with the webhook's secret (lib/webhooks/trigger.rb)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx2

from tests.conftest import Sandbox
from tests.sandbox.conftest import Receiver, deliveries, wait_for

DASHBOARD = [
    "conversation_created",
    "conversation_status_changed",
    "conversation_updated",
    "message_created",
    "message_updated",
]


def _register(box: Sandbox, receiver: Receiver, events: list[str]) -> dict[str, Any]:
    created = box.api("POST", "webhooks", json={"webhook": {"url": receiver.url, "subscriptions": events}})
    assert created.status_code == 200
    return created.json()["payload"]["webhook"]


def _events_after(box: Sandbox, action: Any) -> list[dict[str, Any]]:
    """The account deliveries one action causes (the log holds each delivery from the moment it is queued)."""
    before = len(deliveries(box, kind="account"))
    action()
    wait_for(lambda: all(d["done"] for d in deliveries(box, kind="account")))
    return deliveries(box, kind="account")[before:]


def _customer_says(box: Sandbox, display_id: int, content: str) -> None:
    conv = next(c for c in box.control("GET", "state")["conversations"] if c["id"] == display_id)
    inbox = next(i for i in box.info["inboxes"] if i["id"] == conv["inbox_id"])
    url = (
        f"{box.base_url}/public/api/v1/inboxes/{inbox['inbox_identifier']}/contacts/{conv['source_id']}"
        f"/conversations/{display_id}/messages"
    )
    assert httpx2.post(url, json={"content": content}, timeout=10).status_code == 200


def _changed_keys(delivery: dict[str, Any]) -> list[str]:
    return [next(iter(change)) for change in delivery["payload"]["changed_attributes"]]


def test_a_customer_message_in_a_bot_conversation_is_one_message_created(sandbox: Sandbox, receiver: Receiver) -> None:
    _register(sandbox, receiver, DASHBOARD)
    sent = _events_after(sandbox, lambda: _customer_says(sandbox, 1, "Alguém aí?"))
    assert [d["event"] for d in sent] == ["message_created"]  # waiting_since was already set: no update
    payload = sent[0]["payload"]
    assert payload["message_type"] == "incoming" and payload["conversation"]["status"] == "pending"


def test_a_bot_handoff_is_status_changed_then_updated_and_never_opened(sandbox: Sandbox, receiver: Receiver) -> None:
    refused = sandbox.api(
        "POST", "webhooks", json={"webhook": {"url": receiver.url + "/x", "subscriptions": ["conversation_opened"]}}
    )
    assert refused.status_code == 422  # opened and resolved are bot-only events, not in ALLOWED_WEBHOOK_EVENTS
    _register(sandbox, receiver, DASHBOARD)
    sent = _events_after(
        sandbox,
        lambda: sandbox.api("POST", "conversations/1/toggle_status", token=sandbox.bot_token, json={"status": "open"}),
    )
    assert [d["event"] for d in sent] == ["conversation_status_changed", "conversation_updated"]
    assert sent[0]["payload"]["changed_attributes"] is None  # status_change read after the save: nil
    assert sent[1]["payload"]["changed_attributes"][0] == {
        "status": {"previous_value": "pending", "current_value": "open"}
    }
    assert sent[1]["payload"]["status"] == "open"


def test_an_assignment_is_one_conversation_updated_with_the_assignee_change(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    _register(sandbox, receiver, DASHBOARD)
    sent = _events_after(sandbox, lambda: sandbox.api("POST", "conversations/4/assignments", json={"assignee_id": 2}))
    assert [d["event"] for d in sent] == ["conversation_updated"]
    changes = sent[0]["payload"]["changed_attributes"]
    assert changes[0] == {"assignee_id": {"previous_value": None, "current_value": 2}}
    assert _changed_keys(sent[0]) == ["assignee_id", "updated_at"]
    assert sent[0]["payload"]["meta"]["assignee"]["id"] == 2
    again = _events_after(sandbox, lambda: sandbox.api("POST", "conversations/4/assignments", json={"assignee_id": 2}))
    assert again == []  # nothing changed: no event


def test_an_agent_opening_a_conversation_self_assigns_in_a_second_update(sandbox: Sandbox, receiver: Receiver) -> None:
    _register(sandbox, receiver, DASHBOARD)
    sent = _events_after(
        sandbox,
        lambda: sandbox.api(
            "POST", "conversations/2/toggle_status", token=sandbox.agent_token, json={"status": "open"}
        ),
    )
    assert [d["event"] for d in sent] == ["conversation_status_changed", "conversation_updated", "conversation_updated"]
    assert _changed_keys(sent[1]) == ["status", "updated_at"]
    assert _changed_keys(sent[2]) == ["assignee_id", "updated_at"]


def test_a_persons_reply_is_message_created_and_an_update_of_the_reply_times(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    _register(sandbox, receiver, DASHBOARD)
    sent = _events_after(sandbox, lambda: sandbox.api("POST", "conversations/4/messages", json={"content": "Olá!"}))
    assert sorted(d["event"] for d in sent) == ["conversation_updated", "message_created"]
    updated = next(d for d in sent if d["event"] == "conversation_updated")
    assert _changed_keys(updated) == ["waiting_since", "first_reply_created_at", "updated_at"]
    note = _events_after(
        sandbox,
        lambda: sandbox.api("POST", "conversations/4/messages", json={"content": "nota interna", "private": True}),
    )
    assert [d["event"] for d in note] == ["message_created"]  # private notes are webhook_sendable
    assert note[0]["payload"]["private"] is True


def test_status_labels_and_message_updates(sandbox: Sandbox, receiver: Receiver) -> None:
    _register(sandbox, receiver, DASHBOARD)
    resolved = _events_after(
        sandbox, lambda: sandbox.api("POST", "conversations/3/toggle_status", json={"status": "resolved"})
    )
    assert [d["event"] for d in resolved] == ["conversation_status_changed", "conversation_updated"]
    labels = _events_after(
        sandbox, lambda: sandbox.api("POST", "conversations/3/labels", json={"labels": ["reclamacao", "vip"]})
    )
    assert [d["event"] for d in labels] == ["conversation_updated"] and _changed_keys(labels[0])[0] == "label_list"
    messages = next(c for c in sandbox.control("GET", "state")["conversations"] if c["id"] == 3)["messages"]
    message_id = [m for m in messages if m["message_type"] == "outgoing"][-1]["id"]
    activity_id = [m for m in messages if m["message_type"] == "activity"][-1]["id"]
    quiet = _events_after(
        sandbox, lambda: sandbox.api("PATCH", f"conversations/3/messages/{activity_id}", json={"status": "read"})
    )
    assert quiet == []  # an activity message is not webhook_sendable
    status = _events_after(
        sandbox, lambda: sandbox.api("PATCH", f"conversations/3/messages/{message_id}", json={"status": "read"})
    )
    assert [d["event"] for d in status] == ["message_updated"]
    activity = _events_after(sandbox, lambda: sandbox.api("POST", "conversations/3/toggle_priority", json={}))
    assert [d["event"] for d in activity] == ["conversation_updated"]  # the activity message is not sent


def test_conversation_created_reaches_the_dashboard(sandbox: Sandbox, receiver: Receiver) -> None:
    _register(sandbox, receiver, DASHBOARD)
    site = sandbox.inbox("Site")["id"]
    sent = _events_after(
        sandbox, lambda: sandbox.api("POST", "conversations", json={"inbox_id": site, "contact_id": 14})
    )
    assert [d["event"] for d in sent] == ["conversation_created"]
    assert sent[0]["payload"]["status"] == "pending" and "changed_attributes" not in sent[0]["payload"]


def test_subscriptions_filter_and_an_update_of_them_applies_at_once(sandbox: Sandbox, receiver: Receiver) -> None:
    hook = _register(sandbox, receiver, ["message_created"])
    only_messages = _events_after(
        sandbox, lambda: sandbox.api("POST", "conversations/4/toggle_status", json={"status": "resolved"})
    )
    assert only_messages == []
    sandbox.api("PATCH", f"webhooks/{hook['id']}", json={"webhook": {"subscriptions": ["conversation_status_changed"]}})
    now_status = _events_after(
        sandbox, lambda: sandbox.api("POST", "conversations/4/toggle_status", json={"status": "open"})
    )
    assert [d["event"] for d in now_status] == ["conversation_status_changed"]


def test_every_account_delivery_is_signed_with_the_webhooks_secret(sandbox: Sandbox, receiver: Receiver) -> None:
    hook = _register(sandbox, receiver, DASHBOARD)
    _events_after(sandbox, lambda: sandbox.api("POST", "conversations/4/messages", json={"content": "Olá!"}))
    with receiver.lock:
        received = list(receiver.received)
    assert len(received) == 2
    for hit in received:
        ts = hit.headers["x-chatwoot-timestamp"]
        expected = (
            "sha256=" + hmac.new(hook["secret"].encode(), ts.encode() + b"." + hit.body, hashlib.sha256).hexdigest()
        )
        assert hmac.compare_digest(hit.headers["x-chatwoot-signature"], expected)
        assert json.loads(hit.body)["event"] in DASHBOARD and hit.headers["x-chatwoot-delivery"]
