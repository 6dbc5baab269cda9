"""Webhooks as Chatwoot sends them: AgentBot and account deliveries, payloads, signatures, retries."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest

from chatwoot_mcp.sandbox.webhooks import refused_destination
from tests.conftest import SHARED, Sandbox, start_sandbox, stop_process
from tests.sandbox.conftest import Receiver, deliveries, wait_for

SECRET = "segredo-do-bot"
EXAMPLES = SHARED / "chatwoot" / "webhooks"
FAILURE_TEXT = "Conversation was marked open by system due to an error with the agent bot."


@pytest.fixture(scope="module")
def bot_box(receiver_server: Receiver) -> Iterator[Sandbox]:
    box = start_sandbox("--webhook-url", receiver_server.url, "--webhook-secret", SECRET, "--bot-retry-wait", "0.2")
    try:
        yield box
    finally:
        stop_process(box.process)


@pytest.fixture
def box(bot_box: Sandbox, receiver: Receiver) -> Sandbox:
    bot_box.reset()
    receiver.clear()
    return bot_box


def _example(name: str) -> dict[str, Any]:
    path = EXAMPLES / f"{name}.json"
    if not path.exists():
        pytest.skip(f"{path} is missing")
    return json.loads(Path(path).read_text())


def _key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path of a payload; list items are folded into `[]` so shapes compare, not lengths."""
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            paths.add(f"{prefix}.{key}")
            paths |= _key_paths(item, f"{prefix}.{key}")
    elif isinstance(value, list):
        for item in value:
            paths |= _key_paths(item, f"{prefix}[]")
    return paths


def _public_message(box: Sandbox, conv: dict[str, Any], content: str) -> None:
    inbox = next(i for i in box.info["inboxes"] if i["id"] == conv["inbox_id"])
    url = (
        f"{box.base_url}/public/api/v1/inboxes/{inbox['inbox_identifier']}/contacts/{conv['source_id']}"
        f"/conversations/{conv['id']}/messages"
    )
    assert httpx2.post(url, json={"content": content}, timeout=10).status_code == 200


def _conv(box: Sandbox, display_id: int) -> dict[str, Any]:
    return next(c for c in box.control("GET", "state")["conversations"] if c["id"] == display_id)


def _bodies(receiver: Receiver, event: str) -> list[dict[str, Any]]:
    with receiver.lock:
        return [json.loads(r.body) for r in receiver.received if json.loads(r.body)["event"] == event]


def test_incoming_message_reaches_the_bot_signed_and_shaped_like_chatwoot(box: Sandbox, receiver: Receiver) -> None:
    conv = _conv(box, 1)
    _public_message(box, conv, "Tem <promoção> & frete grátis?")
    wait_for(lambda: "message_created" in receiver.events())
    with receiver.lock:
        hit = next(r for r in receiver.received if json.loads(r.body)["event"] == "message_created")
    timestamp = hit.headers["x-chatwoot-timestamp"]
    expected = "sha256=" + hmac.new(SECRET.encode(), f"{timestamp}.".encode() + hit.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(hit.headers["x-chatwoot-signature"], expected)
    assert hit.headers["content-type"] == "application/json"
    assert len(hit.headers["x-chatwoot-delivery"]) == 36
    assert b"\\u003cpromo" in hit.body and b"\\u0026" in hit.body  # Rails escapes <, > and &
    payload = json.loads(hit.body)
    assert payload["message_type"] == "incoming" and payload["content"] == "Tem <promoção> & frete grátis?"
    assert payload["conversation"]["messages"][0]["message_type"] == 0
    assert payload["conversation"]["id"] == 1 and payload["conversation"]["status"] == "pending"
    assert "type" not in payload["sender"]
    assert payload["conversation"]["meta"]["sender"]["type"] == "contact"
    assert _key_paths(payload) == _key_paths(_example("message_created"))


def test_bot_handoff_sends_opened_status_changed_and_updated(box: Sandbox, receiver: Receiver) -> None:
    box.api("POST", "conversations/1/messages", token=box.bot_token, json={"content": "Vou transferir você."})
    box.api("POST", "conversations/1/toggle_status", token=box.bot_token, json={"status": "open"})
    wait_for(lambda: "conversation_updated" in receiver.events()[-1:] and "conversation_opened" in receiver.events())
    events = receiver.events()
    assert events[-3:] == ["conversation_opened", "conversation_status_changed", "conversation_updated"]
    changed = _bodies(receiver, "conversation_status_changed")[0]
    assert changed["changed_attributes"] is None and changed["status"] == "open"
    assert _key_paths(changed) == _key_paths(_example("conversation_status_changed"))
    updated = _bodies(receiver, "conversation_updated")
    status_update = next(u for u in updated if any("status" in c for c in u["changed_attributes"]))
    assert status_update["changed_attributes"][0] == {"status": {"previous_value": "pending", "current_value": "open"}}
    assert "updated_at" in status_update["changed_attributes"][-1]
    assert _key_paths(status_update) == _key_paths(_example("conversation_updated"))


def test_bot_receives_its_own_messages_and_private_notes_but_no_activity(box: Sandbox, receiver: Receiver) -> None:
    box.api("POST", "conversations/1/messages", token=box.bot_token, json={"content": "Olá, sou a BIA"})
    box.api("POST", "conversations/1/messages", json={"content": "nota", "private": True})
    box.api("POST", "conversations/1/toggle_status", json={"status": "resolved"})
    wait_for(lambda: len(_bodies(receiver, "message_created")) == 2 and "conversation_resolved" in receiver.events())
    created = _bodies(receiver, "message_created")
    assert [m["content"] for m in created] == ["Olá, sou a BIA", "nota"]
    assert created[0]["sender"] == {"id": box.agent_bot_id, "name": "BIA", "type": "agent_bot"}
    assert created[1]["private"] is True
    # conversation.messages[] skips private notes: it still shows the bot's reply
    assert created[1]["conversation"]["messages"][0]["content"] == "Olá, sou a BIA"
    assert not any(m["message_type"] == "activity" for m in created)


def test_deliveries_for_one_conversation_arrive_in_order(box: Sandbox, receiver: Receiver) -> None:
    conv = _conv(box, 2)
    for index in range(5):
        _public_message(box, conv, f"mensagem {index}")
    wait_for(lambda: len(_bodies(receiver, "message_created")) == 5)
    assert [m["content"] for m in _bodies(receiver, "message_created")] == [f"mensagem {i}" for i in range(5)]


def test_bot_delivery_is_retried_on_500_with_the_same_delivery_id(box: Sandbox, receiver: Receiver) -> None:
    receiver.statuses.extend([500, 429])
    _public_message(box, _conv(box, 1), "oi")
    done = wait_for(lambda: deliveries(box, event="message_created", done=True))
    assert done[0]["attempts"] == 3 and done[0]["status"] == 200
    with receiver.lock:
        ids = {r.headers["x-chatwoot-delivery"] for r in receiver.received if b"message_created" in r.body}
    assert len(ids) == 1
    assert _conv(box, 1)["status"] == "pending"


def test_final_bot_failure_opens_a_pending_conversation_with_an_activity_message(
    box: Sandbox, receiver: Receiver
) -> None:
    receiver.statuses.extend([500, 500, 500])
    _public_message(box, _conv(box, 1), "alguém aí?")
    wait_for(lambda: _conv(box, 1)["status"] == "open")
    record = deliveries(box, event="message_created")[0]
    assert record["attempts"] == 3 and record["status"] == 500
    assert _conv(box, 1)["messages"][-1]["content"] == FAILURE_TEXT


def test_other_statuses_fail_at_once_without_retry(box: Sandbox, receiver: Receiver) -> None:
    receiver.statuses.append(503)
    _public_message(box, _conv(box, 1), "oi")
    wait_for(lambda: _conv(box, 1)["status"] == "open")
    assert deliveries(box, event="message_created")[0]["attempts"] == 1


def test_account_webhook_is_filtered_by_subscription_signed_and_never_retried(box: Sandbox, receiver: Receiver) -> None:
    created = box.api(
        "POST", "webhooks", json={"webhook": {"url": receiver.url + "/account", "subscriptions": ["message_created"]}}
    ).json()["payload"]["webhook"]
    assert created["secret"] and created["subscriptions"] == ["message_created"]
    listed = box.api("GET", "webhooks").json()
    assert listed["payload"]["webhooks"][0]["id"] == created["id"]
    box.api("POST", "conversations/4/toggle_status", json={"status": "resolved"})
    box.api("POST", "conversations/4/messages", json={"content": "Resolvido!"})
    wait_for(lambda: deliveries(box, kind="account", done=True))
    account = deliveries(box, kind="account")
    assert [d["event"] for d in account] == ["message_created"]
    with receiver.lock:
        hit = next(
            r
            for r in receiver.received
            if r.headers.get("x-chatwoot-signature")
            and b"Resolvido" in r.body
            and r.headers["x-chatwoot-delivery"] == account[0]["delivery_id"]
        )
    expected = (
        "sha256="
        + hmac.new(
            created["secret"].encode(), hit.headers["x-chatwoot-timestamp"].encode() + b"." + hit.body, hashlib.sha256
        ).hexdigest()
    )
    assert hit.headers["x-chatwoot-signature"] == expected
    receiver.statuses.extend([500] * 4)
    box.api("POST", "conversations/4/messages", json={"content": "De novo"})
    wait_for(lambda: len(deliveries(box, kind="account", done=True)) == 2)
    assert deliveries(box, kind="account")[-1]["attempts"] == 1


def test_reset_forgets_deliveries(box: Sandbox, receiver: Receiver) -> None:
    _public_message(box, _conv(box, 1), "oi")
    wait_for(lambda: deliveries(box, done=True))
    box.reset()
    assert box.control("GET", "deliveries") == []


def test_public_api_conversation_fires_conversation_created_to_account_webhooks_only(
    box: Sandbox, receiver: Receiver
) -> None:
    box.api(
        "POST",
        "webhooks",
        json={
            "webhook": {"url": receiver.url + "/created", "subscriptions": ["conversation_created", "contact_created"]}
        },
    )
    identifier = box.inbox("WhatsApp")["inbox_identifier"]
    base = f"{box.base_url}/public/api/v1/inboxes/{identifier}"
    contact = httpx2.post(f"{base}/contacts", json={"name": "Tiago Lima"}).json()
    conv = httpx2.post(f"{base}/contacts/{contact['source_id']}/conversations", json={}).json()
    wait_for(lambda: len(deliveries(box, done=True)) == 2)
    assert [(d["kind"], d["event"]) for d in deliveries(box)] == [
        ("account", "contact_created"),
        ("account", "conversation_created"),
    ]
    created = _bodies(receiver, "conversation_created")[0]
    assert created["id"] == conv["id"] and created["status"] == "pending" and created["messages"] == []


def test_delivery_does_not_block_the_api_while_the_bot_is_retried(box: Sandbox, receiver: Receiver) -> None:
    receiver.statuses.extend([500, 500, 500])
    _public_message(box, _conv(box, 1), "oi")
    # the message was answered while its delivery still waits between attempts (2 x 0.2 s)
    pending = deliveries(box, event="message_created")
    assert pending and pending[0]["done"] is False
    wait_for(lambda: deliveries(box, event="message_created", done=True))


def test_message_status_update_sends_message_updated_to_the_bot(box: Sandbox, receiver: Receiver) -> None:
    sent = box.api("POST", "conversations/1/messages", token=box.bot_token, json={"content": "Pedido enviado"}).json()
    box.api("PATCH", f"conversations/1/messages/{sent['id']}", json={"status": "delivered"})
    wait_for(lambda: _bodies(receiver, "message_updated"))
    updated = _bodies(receiver, "message_updated")[0]
    assert updated["id"] == sent["id"] and updated["message_type"] == "outgoing"
    assert "status" not in updated and updated["conversation"]["messages"][0]["status"] == "delivered"


def test_reset_cuts_short_a_delivery_waiting_to_retry(receiver: Receiver) -> None:
    slow = start_sandbox("--webhook-url", receiver.url, "--bot-retry-wait", "30")
    try:
        receiver.statuses.extend([500, 500, 500])
        conv = _conv(slow, 1)
        _public_message(slow, conv, "oi")
        wait_for(lambda: deliveries(slow, attempts=1, status=500))
        slow.reset()
        receiver.clear()
        _public_message(slow, _conv(slow, 1), "depois do reset")
        # a new event for the same conversation and URL is not stuck behind the 30 s retry wait
        wait_for(lambda: deliveries(slow, event="message_created", done=True, status=200), timeout=3)
        assert _conv(slow, 1)["status"] == "pending"
        with receiver.lock:
            headers = receiver.received[-1].headers
        # without a bot secret Chatwoot sends the delivery id but neither timestamp nor signature
        assert "x-chatwoot-delivery" in headers
        assert "x-chatwoot-signature" not in headers and "x-chatwoot-timestamp" not in headers
    finally:
        stop_process(slow.process)


def test_a_private_bot_url_is_refused_like_chatwoot_4_14_without_the_allow_flag(receiver: Receiver) -> None:
    strict = start_sandbox("--webhook-url", receiver.url, "--refuse-private-network", "--bot-retry-wait", "0.2")
    try:
        receiver.clear()
        _public_message(strict, _conv(strict, 1), "oi")
        # SafeFetch fails the delivery before sending anything: no retry, and the pending conversation is opened.
        wait_for(lambda: _conv(strict, 1)["status"] == "open")
        record = deliveries(strict, event="message_created")[0]
        assert record["attempts"] == 1 and record["status"] is None
        assert "has no public ip addresses" in record["error"] and "127.0.0.1" in record["error"]
        assert _conv(strict, 1)["messages"][-1]["content"] == FAILURE_TEXT
        with receiver.lock:
            assert receiver.received == []
    finally:
        stop_process(strict.process)


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://127.0.0.1:8000/webhooks/chatwoot", True),
        ("http://10.1.2.3/bot", True),
        ("http://192.168.0.10:8000/bot", True),
        ("http://[::1]:8000/bot", True),
        ("http://169.254.169.254/latest/meta-data", True),  # the cloud metadata address SSRF filters exist for
        ("http://8.8.8.8/bot", False),
        ("http://[2001:4860:4860::8888]/bot", False),
        ("http://127.0.0.1:99999/bot", True),  # not a URL Chatwoot could post to at all
    ],
)
def test_only_a_destination_with_a_public_address_passes_the_private_network_refusal(url: str, refused: bool) -> None:
    reason = anyio.run(refused_destination, url)
    assert (reason is not None) == refused, reason
    if refused:
        assert reason is not None and reason.startswith(f"Invalid webhook URL {url}")
