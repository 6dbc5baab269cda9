"""Ports of spec/listeners/agent_bot_listener_spec.rb: what the AgentBot's URL receives, over real HTTP."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from tests.conftest import Sandbox
from tests.sandbox.conftest import Receiver, deliveries, wait_for
from tests.sandbox.widget_support import widget_inbox, widget_post, widget_session

from .conftest import BOT_SECRET
from .support import SITE, WHATSAPP, detach_bot, new_conversation


def _bodies(receiver: Receiver, event: str) -> list[tuple[dict[str, str], dict[str, Any]]]:
    with receiver.lock:
        found = [(r.headers, json.loads(r.body), r.body) for r in receiver.received]
    return [(h, b) for h, b, _ in found if b["event"] == event]


def _bot(box: Sandbox, name: str, url: str) -> dict[str, Any]:
    response = box.api("POST", "agent_bots", json={"name": name, "outgoing_url": url})
    assert response.status_code == 200, response.text
    return response.json()


def _post(box: Sandbox, display_id: int, content: str) -> int:
    response = box.api("POST", f"conversations/{display_id}/messages", json={"content": content})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def test_does_not_send_message_to_agent_bot(bot_box: Sandbox) -> None:
    """spec/listeners/agent_bot_listener_spec.rb: it 'does not send message to agent bot' (no bot on the inbox)."""
    detach_bot(bot_box, WHATSAPP)
    _post(bot_box, 1, "sem robô")
    control = _post(bot_box, 2, "com robô")  # Site still has the bot: its delivery is recorded at once
    assert deliveries(bot_box, kind="agent_bot", message_id=control)
    assert deliveries(bot_box, kind="agent_bot", conversation_id=1) == []


def test_sends_message_to_agent_bot(bot_box: Sandbox, receiver: Receiver) -> None:
    """spec/listeners/agent_bot_listener_spec.rb: it 'sends message to agent bot' (the message's webhook data plus
    the event, signed with the bot's secret, with a delivery id)."""
    message_id = _post(bot_box, 1, "olá")
    wait_for(lambda: _bodies(receiver, "message_created"))
    with receiver.lock:
        hit = next(r for r in receiver.received if json.loads(r.body)["event"] == "message_created")
    body = json.loads(hit.body)
    assert body["id"] == message_id and body["content"] == "olá" and body["conversation"]["id"] == 1
    stamp = hit.headers["x-chatwoot-timestamp"]
    expected = hmac.new(BOT_SECRET.encode(), f"{stamp}.".encode() + hit.body, hashlib.sha256).hexdigest()
    assert hit.headers["x-chatwoot-signature"] == f"sha256={expected}"
    assert hit.headers["x-chatwoot-delivery"]


def test_does_not_send_message_to_agent_bot_if_url_is_empty(bot_box: Sandbox) -> None:
    """spec/listeners/agent_bot_listener_spec.rb: it 'does not send message to agent bot if url is empty'."""
    silent = _bot(bot_box, "Mudo", "")
    assert bot_box.api("POST", f"inboxes/{WHATSAPP}/set_agent_bot", json={"agent_bot": silent["id"]}).status_code == 200
    _post(bot_box, 1, "ninguém ouve")
    control = _post(bot_box, 2, "com robô")
    assert deliveries(bot_box, kind="agent_bot", message_id=control)
    assert deliveries(bot_box, kind="agent_bot", conversation_id=1) == []


def test_sends_message_to_both_bots_exactly_once(bot_box: Sandbox, receiver: Receiver) -> None:
    """spec/listeners/agent_bot_listener_spec.rb: it 'sends message to both bots exactly once' (the inbox's bot and
    the conversation's assignee bot)."""
    second = _bot(bot_box, "Segundo", f"{receiver.url}?bot=2")
    bot_box.api("POST", "conversations/1/assignments", json={"assignee_id": second["id"], "assignee_type": "AgentBot"})
    message_id = _post(bot_box, 1, "para os dois")
    wait_for(lambda: all(d["done"] for d in deliveries(bot_box, message_id=message_id)))
    urls = sorted(d["url"] for d in deliveries(bot_box, kind="agent_bot", message_id=message_id))
    assert urls == sorted([receiver.url, f"{receiver.url}?bot=2"])
    assert all(d["status"] == 200 for d in deliveries(bot_box, message_id=message_id))


def test_does_not_send_webhook(bot_box: Sandbox) -> None:
    """spec/listeners/agent_bot_listener_spec.rb: it 'does not send webhook' (conversation_updated, no bot)."""
    detach_bot(bot_box, WHATSAPP)
    bot_box.api("POST", "conversations/1/toggle_priority", json={"priority": "high"})
    bot_box.api("POST", f"conversations/{SITE}/toggle_priority", json={"priority": "high"})
    assert deliveries(bot_box, kind="agent_bot", event="conversation_updated", conversation_id=SITE)
    assert deliveries(bot_box, kind="agent_bot", conversation_id=1) == []


def test_sends_webhook_to_the_inbox_agent_bot_with_changed_attributes(bot_box: Sandbox, receiver: Receiver) -> None:
    """spec/listeners/agent_bot_listener_spec.rb: it 'sends webhook to the inbox agent bot with changed_attributes'."""
    bot_box.api("POST", "conversations/1/toggle_priority", json={"priority": "high"})
    wait_for(lambda: _bodies(receiver, "conversation_updated"))
    body = _bodies(receiver, "conversation_updated")[0][1]
    assert body["id"] == 1 and "changed_attributes" in body
    assert body["changed_attributes"][0] == {"priority": {"previous_value": None, "current_value": "high"}}


def test_sends_webhook_with_changed_attributes_to_the_assigned_agent_bot(bot_box: Sandbox, receiver: Receiver) -> None:
    """spec/listeners/agent_bot_listener_spec.rb: it 'sends webhook with changed_attributes to the assigned agent
    bot' (a bot that is not the inbox's)."""
    detach_bot(bot_box, WHATSAPP)
    second = _bot(bot_box, "Segundo", f"{receiver.url}?bot=2")
    bot_box.api("POST", "conversations/1/assignments", json={"assignee_id": second["id"], "assignee_type": "AgentBot"})
    wait_for(lambda: _bodies(receiver, "conversation_updated"))
    sent = deliveries(bot_box, kind="agent_bot", event="conversation_updated", conversation_id=1)
    assert [d["url"] for d in sent] == [f"{receiver.url}?bot=2"]
    changed = _bodies(receiver, "conversation_updated")[0][1]["changed_attributes"]
    assert changed[0] == {"assignee_agent_bot_id": {"previous_value": None, "current_value": second["id"]}}


def test_send_message_to_agent_bot_url(bot_box: Sandbox, receiver: Receiver) -> None:
    """spec/listeners/agent_bot_listener_spec.rb: it 'send message to agent bot URL' (#webwidget_triggered: the
    contact inbox's webhook data with the event and event_info, once, signed with the bot's secret), driven as the
    widget drives it: its session, then `POST /api/v1/widget/events` (Api::V1::Widget::EventsController#create)."""
    inbox = widget_inbox(bot_box)
    attached = bot_box.api("POST", f"inboxes/{inbox['id']}/set_agent_bot", json={"agent_bot": bot_box.agent_bot_id})
    assert attached.status_code == 200, attached.text
    session = widget_session(bot_box, inbox["website_token"])
    source_id = next(
        ci["source_id"]
        for ci in bot_box.api("GET", f"contacts/{session['contact']['id']}").json()["payload"]["contact_inboxes"]
    )
    conversation = new_conversation(bot_box, inbox["id"], session["contact"]["id"], source_id=source_id)
    event = {"website_token": inbox["website_token"], "name": "webwidget.triggered", "event_info": {"country": "US"}}
    token = session["website_channel_config"]["auth_token"]
    assert widget_post(bot_box, "events", token, json=event).status_code == 204
    wait_for(lambda: _bodies(receiver, "webwidget_triggered"))
    headers, body = _bodies(receiver, "webwidget_triggered")[0]
    assert body["id"] and body["source_id"] == source_id and body["event"] == "webwidget_triggered"
    assert body["contact"]["id"] == session["contact"]["id"] and body["inbox"] == {"id": inbox["id"], "name": "Loja"}
    assert body["account"]["id"] == bot_box.account_id
    assert body["current_conversation"]["id"] == conversation["id"]
    assert body["event_info"]["country"] == "US"
    with receiver.lock:
        raw = next(r.body for r in receiver.received if json.loads(r.body)["event"] == "webwidget_triggered")
    stamp = headers["x-chatwoot-timestamp"]
    expected = hmac.new(BOT_SECRET.encode(), f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest()
    assert headers["x-chatwoot-signature"] == f"sha256={expected}"
    assert len(deliveries(bot_box, kind="agent_bot", event="webwidget_triggered")) == 1
