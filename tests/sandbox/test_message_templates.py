"""The template messages of MessageTemplates::HookExecutionService seen from outside: each is a message of its own
with its `message_created` after the contact's (Message's after_create_commit runs the hooks after
dispatch_create_events), the texts in the request's locale (SwitchLocale), and the hook runs whichever API made the
message."""

from __future__ import annotations

from typing import Any

import httpx2

from tests.conftest import Sandbox
from tests.sandbox.conftest import Receiver, deliveries, wait_for
from tests.sandbox.rspec.support import account_request
from tests.sandbox.widget_support import widget_inbox, widget_request, widget_session

GREETING = "Olá! Respondemos em minutos."


def _visitor_says(box: Sandbox, content: str = "oi", locale: str | None = "pt_BR", **inbox_settings: Any) -> int:
    """A new visitor's first message on a new widget inbox with the settings given, from a widget showing `locale`
    (the widget sends it with each request): the conversation's id."""
    inbox = widget_inbox(box)
    if inbox_settings:
        assert box.api("PATCH", f"inboxes/{inbox['id']}", json=inbox_settings).status_code == 200
    session = widget_session(box, inbox["website_token"])
    token = session["website_channel_config"]["auth_token"]
    body: dict[str, Any] = {"website_token": inbox["website_token"], "message": {"content": content}}
    if locale is not None:
        body["locale"] = locale
    response = widget_request(box, "POST", "messages", token, json=body)
    assert response.status_code == 200, response.text
    return int(response.json()["conversation_id"])


def _chat(box: Sandbox, display_id: int) -> list[tuple[int, str, str]]:
    found = box.api("GET", f"conversations/{display_id}/messages").json()["payload"]
    return [(m["message_type"], m["content"], m["content_type"]) for m in found if m["message_type"] != 2]


def test_each_template_message_is_a_message_created_after_the_contacts(sandbox: Sandbox, receiver: Receiver) -> None:
    created = sandbox.api(
        "POST", "webhooks", json={"webhook": {"url": receiver.url, "subscriptions": ["message_created"]}}
    )
    assert created.status_code == 200, created.text
    _visitor_says(sandbox, greeting_enabled=True, greeting_message=GREETING)
    wait_for(lambda: len(deliveries(sandbox, kind="account")) >= 4 and all(d["done"] for d in deliveries(sandbox)))
    sent = [d["payload"] for d in deliveries(sandbox, kind="account")]
    assert [(p["message_type"], p["content"]) for p in sent] == [
        ("incoming", "oi"),
        ("template", GREETING),
        ("template", "Informe à equipe uma forma de contatá-lo."),
        ("template", "Seja notificado por e-mail"),
    ]
    assert sent[-1]["content_type"] == "input_email" and sent[-1]["sender"] is None


def test_the_email_collect_texts_follow_the_widgets_locale(sandbox: Sandbox) -> None:
    """The widget's request runs in the `locale` it names when Chatwoot offers it, else in English (no
    DEFAULT_LOCALE); the account's own locale is for its API, not the widget's."""
    assert account_request(sandbox, "PATCH", json={"locale": "pt_BR"}).status_code == 200
    portuguese = [
        (0, "oi", "text"),
        (3, "Informe à equipe uma forma de contatá-lo.", "text"),
        (3, "Seja notificado por e-mail", "input_email"),
    ]
    english = [
        (0, "oi", "text"),
        (3, "Give the team a way to reach you.", "text"),
        (3, "Get notified by email", "input_email"),
    ]
    assert _chat(sandbox, _visitor_says(sandbox, locale="pt_BR")) == portuguese
    assert _chat(sandbox, _visitor_says(sandbox, locale=None)) == english
    assert _chat(sandbox, _visitor_says(sandbox, locale="xx")) == english


def test_the_greeting_follows_a_contacts_first_message_from_the_public_api(sandbox: Sandbox) -> None:
    """An API inbox asks for no e-mail (a web widget's hook); its greeting comes once, with Liquid rendered."""
    inbox = sandbox.api(
        "POST",
        "inboxes",
        json={
            "name": "App",
            "channel": {"type": "api"},
            "greeting_enabled": True,
            "greeting_message": "Oi {{contact.name}}!",
        },
    )
    assert inbox.status_code == 200, inbox.text
    public = f"{sandbox.base_url}/public/api/v1/inboxes/{inbox.json()['inbox_identifier']}"
    contact = httpx2.post(f"{public}/contacts", json={"name": "ana lima"}, timeout=10).json()
    conversations = f"{public}/contacts/{contact['source_id']}/conversations"
    conv = httpx2.post(conversations, json={}, timeout=10).json()
    for content in ("primeira", "segunda"):
        sent = httpx2.post(f"{conversations}/{conv['id']}/messages", json={"content": content}, timeout=10)
        assert sent.status_code == 200, sent.text
    assert _chat(sandbox, conv["id"]) == [(0, "primeira", "text"), (3, "Oi Ana Lima!", "text"), (0, "segunda", "text")]
