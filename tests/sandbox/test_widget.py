"""The web widget's API: `/api/v1/widget/config` issues a visitor's session, `/api/v1/widget/events` reports
`webwidget.triggered` (Chatwoot's `Api::V1::Widget::ConfigsController`, `EventsController` and their specs in
spec/controllers/api/v1/widget/)."""

from __future__ import annotations

import json

import httpx2

from tests.conftest import Sandbox
from tests.sandbox.conftest import Receiver, deliveries, wait_for

from .widget_support import UNKNOWN_BROWSER, widget_inbox, widget_post, widget_session


def test_config_with_an_unknown_website_token_is_not_found(sandbox: Sandbox) -> None:
    """configs_controller_spec 'returns not found': `find_by!` on the website token."""
    response = widget_post(sandbox, "config", json={"website_token": ""})
    assert response.status_code == 404
    assert response.json() == {"error": "Resource could not be found"}


def test_config_without_a_token_starts_a_visitor_and_with_it_returns_the_same(sandbox: Sandbox) -> None:
    """A new visitor is an anonymous contact of the widget's inbox (`contact_created`); its token names the source
    id and inbox, and the same token brings back the same contact and the same token."""
    inbox = widget_inbox(sandbox)
    before = len(sandbox.control("GET", "state")["contacts"])
    first = widget_session(sandbox, inbox["website_token"])
    assert set(first) == {"website_channel_config", "contact", "global_config"}
    config = first["website_channel_config"]
    assert config["website_token"] == inbox["website_token"] and config["website_name"] == "Loja"
    assert config["account_id"] == sandbox.account_id and config["utc_off_set"] == "+00:00"
    assert first["global_config"]["BRAND_NAME"] == "Chatwoot"
    contact = first["contact"]
    assert contact["id"] and contact["name"] and contact["pubsub_token"] and contact["email"] is None
    assert len(sandbox.control("GET", "state")["contacts"]) == before + 1
    shown = sandbox.api("GET", f"contacts/{contact['id']}").json()["payload"]
    assert [ci["inbox"]["id"] for ci in shown["contact_inboxes"]] == [inbox["id"]]

    again = widget_session(sandbox, inbox["website_token"], config["auth_token"])
    assert again["contact"] == contact
    assert again["website_channel_config"]["auth_token"] == config["auth_token"]
    assert len(sandbox.control("GET", "state")["contacts"]) == before + 1


def test_config_with_an_invalid_token_starts_a_new_visitor(sandbox: Sandbox) -> None:
    inbox = widget_inbox(sandbox)
    first = widget_session(sandbox, inbox["website_token"])
    forged = first["website_channel_config"]["auth_token"][:-2] + "xx"
    other = widget_session(sandbox, inbox["website_token"], forged)
    assert other["contact"]["id"] != first["contact"]["id"]
    assert other["contact"]["pubsub_token"] != first["contact"]["pubsub_token"]


def test_a_token_of_another_widget_names_no_contact_there(sandbox: Sandbox) -> None:
    """The token's source id is looked up among the widget's own inbox's contact inboxes."""
    one, two = widget_inbox(sandbox, "Um"), widget_inbox(sandbox, "Dois")
    token = widget_session(sandbox, one["website_token"])["website_channel_config"]["auth_token"]
    response = widget_post(sandbox, "events", token, json={"website_token": two["website_token"], "name": "x"})
    assert response.status_code == 404


def test_events_need_the_session_token(sandbox: Sandbox) -> None:
    """events_controller_spec 'returns unauthorized' answers 404 for a bad website token; without the visitor's
    token `set_contact` raises RecordNotFound too."""
    inbox = widget_inbox(sandbox)
    assert widget_post(sandbox, "events", json={"website_token": ""}).status_code == 404
    response = widget_post(sandbox, "events", json={"website_token": inbox["website_token"], "name": "x"})
    assert response.status_code == 404


def test_webwidget_triggered_reaches_account_webhooks_with_event_info(sandbox: Sandbox, receiver: Receiver) -> None:
    """events_controller_spec 'dispatches the webwidget event' (204), seen where WebhookListener delivers it: the
    contact inbox's webhook data, the event, and event_info (the widget's, then locale, browser language, browser)."""
    inbox = widget_inbox(sandbox)
    hook = {"webhook": {"url": receiver.url, "subscriptions": ["webwidget_triggered"]}}
    assert sandbox.api("POST", "webhooks", json=hook).status_code == 200
    session = widget_session(sandbox, inbox["website_token"])
    token = session["website_channel_config"]["auth_token"]
    body = {
        "website_token": inbox["website_token"],
        "name": "webwidget.triggered",
        "locale": "pt_BR",
        "event_info": {"referer": "https://loja.example/", "initiated_at": {"timestamp": "agora"}},
    }
    response = widget_post(sandbox, "events", token, headers={"Accept-Language": "pt-BR,en;q=0.5"}, json=body)
    assert response.status_code == 204 and response.content == b""
    wait_for(lambda: receiver.events() == ["webwidget_triggered"])
    with receiver.lock:
        sent = json.loads(receiver.received[0].body)
    assert list(sent) == [
        "id",
        "contact",
        "inbox",
        "account",
        "current_conversation",
        "source_id",
        "event",
        "event_info",
    ]
    assert sent["contact"]["id"] == session["contact"]["id"] and sent["inbox"] == {"id": inbox["id"], "name": "Loja"}
    assert sent["current_conversation"] is None
    assert sent["event_info"] == {
        "referer": "https://loja.example/",
        "initiated_at": {"timestamp": "agora"},
        "widget_language": "pt_BR",
        "browser_language": "pt",
        "browser": UNKNOWN_BROWSER,
    }


def test_other_event_names_reach_no_listener(sandbox: Sandbox, receiver: Receiver) -> None:
    """The dispatcher calls only listeners with a method of the event's name: anything else is a 204 and nothing."""
    inbox = widget_inbox(sandbox)
    hook = {"webhook": {"url": receiver.url, "subscriptions": ["webwidget_triggered"]}}
    assert sandbox.api("POST", "webhooks", json=hook).status_code == 200
    token = widget_session(sandbox, inbox["website_token"])["website_channel_config"]["auth_token"]
    odd = widget_post(sandbox, "events", token, json={"website_token": inbox["website_token"], "name": "foo.bar"})
    assert odd.status_code == 204
    body = {"website_token": inbox["website_token"], "name": "webwidget.triggered"}
    assert widget_post(sandbox, "events", token, json=body).status_code == 204
    wait_for(lambda: receiver.events())
    assert [d["event"] for d in deliveries(sandbox, kind="account")] == ["webwidget_triggered"]


def test_a_visitors_first_message_reaches_account_webhooks_after_its_conversation(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    """Widget::MessagesController#create through the engine: the new conversation's `conversation_created` (with the
    widget's additional attributes), then `message_created` for the visitor's incoming message; the e-mail answer's
    update is a `message_updated`."""
    inbox = widget_inbox(sandbox)
    events = ["conversation_created", "message_created", "message_updated"]
    assert sandbox.api("POST", "webhooks", json={"webhook": {"url": receiver.url, "subscriptions": events}}).is_success
    session = widget_session(sandbox, inbox["website_token"])
    token = session["website_channel_config"]["auth_token"]
    message = {"content": "Oi", "timestamp": "agora", "referer_url": "https://loja.example/precos"}
    body = {"website_token": inbox["website_token"], "message": message}
    created = widget_post(sandbox, "messages", token, headers={"Accept-Language": "pt-BR"}, json=body)
    assert created.status_code == 200, created.text
    # the visitor has no e-mail: the e-mail collect pair follows (MessageTemplates::HookExecutionService)
    wait_for(lambda: receiver.events() == ["conversation_created"] + ["message_created"] * 3)
    with receiver.lock:
        conversation, sent, *pair = (json.loads(r.body) for r in receiver.received)
    assert [p["content_type"] for p in pair] == ["text", "input_email"]
    assert conversation["additional_attributes"]["referer"] == "https://loja.example/precos"
    assert conversation["additional_attributes"]["initiated_at"] == {"timestamp": "agora"}
    assert conversation["additional_attributes"]["browser_language"] == "pt"
    assert sent["content"] == "Oi" and sent["message_type"] == "incoming"
    assert sent["sender"]["id"] == session["contact"]["id"]
    display_id = created.json()["conversation_id"]
    asked = sandbox.api(
        "POST", f"conversations/{display_id}/messages", json={"content": "E-mail?", "content_type": "input_email"}
    )
    answer = {"website_token": inbox["website_token"], "contact": {"email": "visitante@example.com"}}
    path = f"{sandbox.base_url}/api/v1/widget/messages/{asked.json()['id']}"
    updated = httpx2.patch(path, headers={"X-Auth-Token": token}, json=answer, timeout=10)
    assert updated.status_code == 200, updated.text
    assert updated.json()["content_attributes"]["submitted_email"] == "visitante@example.com"
    wait_for(lambda: receiver.events()[-1:] == ["message_updated"])
