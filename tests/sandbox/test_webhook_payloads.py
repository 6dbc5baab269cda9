"""Webhook payload fields a client reads, against Chatwoot's builders: the conversation's `channel` and `can_reply`
(app/presenters/conversations/event_data_presenter.rb, app/services/conversations/message_window_service.rb), the
waiting time a new conversation starts with (Conversation#ensure_waiting_since), the typist in typing events
(WebhookListener#handle_typing_status), and when each listener reads the records (Message#dispatch_create_events:
MESSAGE_CREATED before the reply times' update; AgentBotListener in the SyncDispatcher, WebhookListener in the
AsyncDispatcher's job)."""

from __future__ import annotations

import itertools
from typing import Any

import httpx2

from chatwoot_mcp.sandbox import render
from chatwoot_mcp.sandbox.domain import Engine
from chatwoot_mcp.sandbox.message_window import can_reply
from chatwoot_mcp.sandbox.seed import Secrets, SeedOptions
from chatwoot_mcp.sandbox.state import INCOMING, OUTGOING, Inbox
from chatwoot_mcp.sandbox.webhooks import Dispatcher
from chatwoot_mcp.sandbox.whatsapp_channel import WHATSAPP
from tests.conftest import Sandbox
from tests.sandbox.conftest import Receiver, deliveries, wait_for

from .widget_support import widget_inbox

DASHBOARD = ["conversation_created", "conversation_updated", "message_created", "conversation_typing_on"]
_numbers = itertools.count(1)


def _register(box: Sandbox, receiver: Receiver) -> None:
    created = box.api("POST", "webhooks", json={"webhook": {"url": receiver.url, "subscriptions": DASHBOARD}})
    assert created.status_code == 200, created.text


def _settled(box: Sandbox, **match: Any) -> list[dict[str, Any]]:
    wait_for(lambda: all(d["done"] for d in deliveries(box)))
    return deliveries(box, **match)


def _conversation(box: Sandbox, inbox_id: int, contact_id: int = 14) -> dict[str, Any]:
    response = box.api("POST", "conversations", json={"inbox_id": inbox_id, "contact_id": contact_id})
    assert response.status_code == 200, response.text
    return response.json()


def _twilio_inbox(box: Sandbox, medium: str) -> dict[str, Any]:
    channel = {
        "name": f"Twilio {medium}",
        "account_sid": "AC123",
        "auth_token": "secrettoken",
        "phone_number": f"+1555100{next(_numbers):04d}",
        "medium": medium,
    }
    response = box.api("POST", "channels/twilio_channel", json={"twilio_channel": channel})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_widget_conversation_names_the_widget_channel_in_its_webhook_and_rest_views(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    """`channel: inbox.try(:channel_type)` in EventDataPresenter#push_data and in the conversation partial's meta."""
    _register(sandbox, receiver)
    inbox = widget_inbox(sandbox)
    conv = _conversation(sandbox, inbox["id"])
    assert conv["meta"]["channel"] == "Channel::WebWidget"
    created = _settled(sandbox, event="conversation_created")
    assert [d["payload"]["channel"] for d in created] == ["Channel::WebWidget"]
    api_conv = sandbox.api("GET", "conversations/1").json()
    assert api_conv["meta"]["channel"] == "Channel::Api"


def test_a_whatsapp_medium_conversation_without_an_incoming_message_cannot_be_replied_to(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    """MessageWindowService: a Twilio inbox on the WhatsApp medium has the 24-hour window and no incoming message
    yet, so `can_reply` is false in the REST view and the webhook; on the SMS medium there is no window."""
    _register(sandbox, receiver)
    whatsapp = _conversation(sandbox, _twilio_inbox(sandbox, "whatsapp")["id"])
    sms = _conversation(sandbox, _twilio_inbox(sandbox, "sms")["id"], contact_id=15)
    assert (whatsapp["can_reply"], sms["can_reply"]) == (False, True)
    created = {d["conversation_id"]: d["payload"] for d in _settled(sandbox, event="conversation_created")}
    assert created[whatsapp["id"]]["can_reply"] is False and created[sms["id"]]["can_reply"] is True
    assert created[whatsapp["id"]]["channel"] == "Channel::TwilioSms"


def test_a_new_conversation_waits_from_its_creation(sandbox: Sandbox, receiver: Receiver) -> None:
    """before_create :ensure_waiting_since sets `waiting_since` to `created_at`, so a conversation opened without a
    message is waiting already, and the contact's first message changes nothing."""
    _register(sandbox, receiver)
    site = sandbox.inbox("Site")["id"]
    conv = _conversation(sandbox, site)
    assert conv["waiting_since"] == conv["created_at"] > 0
    created = _settled(sandbox, event="conversation_created")[0]["payload"]
    assert created["waiting_since"] == created["created_at"]


def test_an_agents_first_reply_is_message_created_then_the_reply_times_each_read_when_its_listener_runs(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    """The bot's payload is built at the event, before the reply times change (first reply still null, still
    waiting); the account webhook's after the request, with them changed; MESSAGE_CREATED is queued first."""
    _register(sandbox, receiver)
    bot = sandbox.api("PATCH", f"agent_bots/{sandbox.agent_bot_id}", json={"outgoing_url": receiver.url + "/bot"})
    assert bot.status_code == 200, bot.text
    response = sandbox.api("POST", "conversations/4/messages", json={"content": "Oi, sou a Ana."})
    assert response.status_code == 200, response.text
    account = _settled(sandbox, kind="account")
    assert [d["event"] for d in account] == ["message_created", "conversation_updated"]
    to_account = account[0]["payload"]["conversation"]
    assert to_account["first_reply_created_at"] is not None and to_account["waiting_since"] == 0
    to_bot = next(d for d in deliveries(sandbox, kind="agent_bot") if d["event"] == "message_created")
    assert to_bot["payload"]["conversation"]["first_reply_created_at"] is None
    assert to_bot["payload"]["conversation"]["waiting_since"] > 0


def test_a_contact_typing_is_the_contacts_webhook_data(sandbox: Sandbox, receiver: Receiver) -> None:
    """`user.webhook_data` for a contact: Contact#webhook_data, with the account and the avatar and no `type`."""
    _register(sandbox, receiver)
    conv = next(c for c in sandbox.control("GET", "state")["conversations"] if c["id"] == 1)
    inbox = next(i for i in sandbox.info["inboxes"] if i["id"] == conv["inbox_id"])
    path = f"/public/api/v1/inboxes/{inbox['inbox_identifier']}/contacts/{conv['source_id']}/conversations/1"
    typed = httpx2.post(f"{sandbox.base_url}{path}/toggle_typing", json={"typing_status": "on"}, timeout=10)
    assert typed.status_code == 200
    user = _settled(sandbox, event="conversation_typing_on")[0]["payload"]["user"]
    assert set(user) == {
        "account",
        "additional_attributes",
        "avatar",
        "custom_attributes",
        "email",
        "id",
        "identifier",
        "name",
        "phone_number",
        "thumbnail",
        "blocked",
    }


def test_the_whatsapp_window_closes_a_day_after_the_last_incoming_message() -> None:
    """MESSAGING_WINDOW_24_HOURS from the last incoming message (`Time.current < created_at + 24.hours`); an
    outgoing message does not reopen it. Driven on the engine: only API inboxes take incoming messages over HTTP."""

    async def ignore(_job: Any) -> None:
        return None

    engine = Engine(Secrets(), SeedOptions(), Dispatcher(retry_wait=0, on_failure=ignore))
    store = engine.store
    inbox = Inbox(90, 1, 90, "WhatsApp Cloud", "wa", "s", "h", {1}, channel_type=WHATSAPP)
    store.inboxes[inbox.id] = inbox
    contact = store.contacts[11]
    ci = engine.create_contact_inbox(contact, inbox.id, "5511999990000")
    conv = engine.create_conversation(inbox_id=inbox.id, contact=contact, contact_inbox=ci)
    assert can_reply(store, conv) is False
    engine.create_message(conv, content="oi", message_type=INCOMING, sender=("Contact", contact.id))
    engine.advance_clock(24 * 3600 - 5)
    engine.create_message(conv, content="olá", message_type=OUTGOING, sender=("User", 1))
    assert render.conversation(store, conv)["can_reply"] is True
    engine.advance_clock(10)
    assert render.conversation_webhook(store, conv)["can_reply"] is False


def test_hard_line_breaks_reach_webhooks_as_plain_newlines(sandbox: Sandbox, receiver: Receiver) -> None:
    """Messages::WebhookContentNormalizer (`gsub(/\\\\\\r?\\n/, "\\n")`): the message's `content` and its copy in
    `conversation.messages` lose the backslash of the editor's hard breaks; the stored message keeps it."""
    _register(sandbox, receiver)
    typed = "Linha 1\\\nLinha 2\\\r\nLinha 3 \\ fim"
    response = sandbox.api("POST", "conversations/4/messages", json={"content": typed})
    assert response.status_code == 200 and response.json()["content"] == typed
    payload = _settled(sandbox, event="message_created")[0]["payload"]
    plain = "Linha 1\nLinha 2\nLinha 3 \\ fim"
    assert payload["content"] == plain
    last = payload["conversation"]["messages"][0]
    assert (last["content"], last["processed_message_content"]) == (plain, plain)
