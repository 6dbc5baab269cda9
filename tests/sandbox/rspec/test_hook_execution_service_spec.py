"""Ports of spec/services/message_templates/hook_execution_service_spec.rb over HTTP: the template messages
MessageTemplates::HookExecutionService adds after a message is created (out of office, greeting, e-mail collect).

The spec's `conversation` (the factory's inbox is a web widget) is a widget visitor's on a new widget inbox; its
`create(:message)` (incoming) is the visitor's message through `POST /api/v1/widget/messages`. A double's
`have_received(:new)` is read as the template messages the conversation holds; `not_to have_received` as none."""

from __future__ import annotations

from typing import Any

from tests.conftest import Sandbox
from tests.sandbox.widget_support import (
    trigger_campaign,
    widget_campaign,
    widget_inbox,
    widget_request,
    widget_session,
)

TEMPLATE = 3
GREETING = "Hi, this is a greeting message"
OUT_OF_OFFICE = "We are out of office"
# en: the spec runs in I18n.default_locale, as a widget request that names no locale does
ASK_EMAIL, EMAIL_BOX = "Give the team a way to reach you.", "Get notified by email"


class Visitor:
    """A widget visitor (contact without an e-mail) on a new web widget inbox."""

    def __init__(self, box: Sandbox, **inbox_settings: Any) -> None:
        self.box = box
        inbox = widget_inbox(box)
        self.inbox_id = inbox["id"]
        self.website_token = inbox["website_token"]
        if inbox_settings:
            self.update_inbox(**inbox_settings)
        session = widget_session(box, self.website_token)
        self.token = session["website_channel_config"]["auth_token"]
        self.contact_id = session["contact"]["id"]

    def update_inbox(self, **fields: Any) -> None:
        response = self.box.api("PATCH", f"inboxes/{self.inbox_id}", json=fields)
        assert response.status_code == 200, response.text

    def give_email(self) -> None:
        """The factory contact's e-mail."""
        response = self.box.api("PUT", f"contacts/{self.contact_id}", json={"email": f"c{self.contact_id}@x.example"})
        assert response.status_code == 200, response.text

    def start_campaign(self) -> None:
        """`create(:conversation, campaign:)` as Chatwoot makes one: the widget's `campaign.triggered` event, whose
        builder adds the campaign's message (outgoing, from its sender, Bruno)."""
        campaign = widget_campaign(self.box, self.inbox_id, sender_id=2)
        trigger_campaign(self.box, self.website_token, self.token, {"campaign_id": campaign})

    def open_conversation(self) -> int:
        """`create(:conversation)` through the account API: its display id."""
        body = {"inbox_id": self.inbox_id, "contact_id": self.contact_id}
        response = self.box.api("POST", "conversations", json=body)
        assert response.status_code == 200, response.text
        return int(response.json()["id"])

    def send(self, content: str = "hello") -> int:
        """`create(:message, conversation:)`: the visitor's incoming message; the conversation's display id."""
        body = {"website_token": self.website_token, "message": {"content": content}}
        response = widget_request(self.box, "POST", "messages", self.token, json=body)
        assert response.status_code == 200, response.text
        return int(response.json()["conversation_id"])

    def messages(self, display_id: int) -> list[dict[str, Any]]:
        response = self.box.api("GET", f"conversations/{display_id}/messages")
        assert response.status_code == 200, response.text
        return [m for m in response.json()["payload"] if m["message_type"] != 2]

    def templates(self, display_id: int) -> list[tuple[str, str]]:
        return [(m["content"], m["content_type"]) for m in self.messages(display_id) if m["message_type"] == TEMPLATE]

    def agent_reply(self, display_id: int, **fields: Any) -> None:
        body = {"content": "on it", **fields}
        response = self.box.api("POST", f"conversations/{display_id}/messages", json=body)
        assert response.status_code == 200, response.text


def _closed_today() -> dict[str, Any]:
    """Working hours on and today's row closed all day (every day's, so the test does not hang on the date)."""
    hours = [{"day_of_week": day, "closed_all_day": True} for day in range(7)]
    return {"working_hours_enabled": True, "out_of_office_message": OUT_OF_OFFICE, "working_hours": hours}


def test_will_not_call_any_hooks(sandbox: Sandbox) -> None:
    """spec/services/message_templates/hook_execution_service_spec.rb: it 'will not call any hooks' (only an
    activity message: the conversation resolved)."""
    visitor = Visitor(sandbox, greeting_enabled=True, greeting_message=GREETING, enable_email_collect=True)
    display_id = visitor.open_conversation()
    response = sandbox.api("POST", f"conversations/{display_id}/toggle_status", json={"status": "resolved"})
    assert response.status_code == 200, response.text
    assert visitor.templates(display_id) == []


def test_doesnot_calls_greeting_if_greeting_message_is_empty(sandbox: Sandbox) -> None:
    """spec/services/message_templates/hook_execution_service_spec.rb: it 'doesnot calls
    ::MessageTemplates::Template::Greeting if greeting_message is empty' (the e-mail collect pair comes alone)."""
    visitor = Visitor(sandbox, greeting_enabled=True, enable_email_collect=True)
    display_id = visitor.send()
    assert visitor.templates(display_id) == [(ASK_EMAIL, "text"), (EMAIL_BOX, "input_email")]


def test_calls_email_collect(sandbox: Sandbox) -> None:
    """spec/services/message_templates/hook_execution_service_spec.rb: it 'calls
    ::MessageTemplates::Template::EmailCollect' (the greeting, then the e-mail collect pair, after the visitor's
    message)."""
    visitor = Visitor(sandbox, greeting_enabled=True, greeting_message=GREETING, enable_email_collect=True)
    display_id = visitor.send()
    found = [(m["message_type"], m["content"]) for m in visitor.messages(display_id)]
    assert found == [(0, "hello"), (TEMPLATE, GREETING), (TEMPLATE, ASK_EMAIL), (TEMPLATE, EMAIL_BOX)]
    visitor.send("again")
    assert len(visitor.templates(display_id)) == 3  # once per conversation


def test_doesnot_calls_email_collect_on_campaign_conversations(sandbox: Sandbox) -> None:
    """spec/services/message_templates/hook_execution_service_spec.rb: it 'doesnot calls
    ::MessageTemplates::Template::EmailCollect on campaign conversations' (a visitor without an e-mail on a widget
    that collects them: only the campaign's message and the visitor's)."""
    visitor = Visitor(sandbox, enable_email_collect=True)
    visitor.start_campaign()
    display_id = visitor.send()
    assert [m["message_type"] for m in visitor.messages(display_id)] == [1, 0]
    assert visitor.templates(display_id) == []


def test_doesnot_calls_email_collect_when_enable_email_collect_form_is_disabled(sandbox: Sandbox) -> None:
    """spec/services/message_templates/hook_execution_service_spec.rb: it 'doesnot calls
    ::MessageTemplates::Template::EmailCollect when enable_email_collect form is disabled'."""
    visitor = Visitor(sandbox, enable_email_collect=False, channel={"pre_chat_form_enabled": True})
    display_id = visitor.send()
    assert visitor.templates(display_id) == []


def test_calls_out_of_office(sandbox: Sandbox) -> None:
    """spec/services/message_templates/hook_execution_service_spec.rb: it 'calls
    ::MessageTemplates::Template::OutOfOffice' (the factory contact has an e-mail)."""
    visitor = Visitor(sandbox, **_closed_today())
    visitor.give_email()
    display_id = visitor.send()
    assert visitor.templates(display_id) == [(OUT_OF_OFFICE, "text")]
    visitor.send("again")
    assert len(visitor.templates(display_id)) == 1  # once a day


def test_does_not_call_out_of_office_when_there_are_recent_outgoing_messages(sandbox: Sandbox) -> None:
    """spec/services/message_templates/hook_execution_service_spec.rb: it 'does not call
    ::MessageTemplates::Template::OutOfOffice when there are recent outgoing messages' (the agent's reply two
    minutes before)."""
    visitor = Visitor(sandbox, **_closed_today())
    visitor.give_email()
    display_id = visitor.open_conversation()
    visitor.agent_reply(display_id)
    sandbox.control("POST", "clock", json={"advance": 120})
    visitor.send()
    assert visitor.templates(display_id) == []


def test_ignores_private_note_and_calls_out_of_office(sandbox: Sandbox) -> None:
    """spec/services/message_templates/hook_execution_service_spec.rb: it 'ignores private note and calls
    ::MessageTemplates::Template::OutOfOffice'."""
    visitor = Visitor(sandbox, **_closed_today())
    visitor.give_email()
    display_id = visitor.open_conversation()
    visitor.agent_reply(display_id, private=True)
    sandbox.control("POST", "clock", json={"advance": 120})
    visitor.send()
    assert visitor.templates(display_id) == [(OUT_OF_OFFICE, "text")]


def test_will_not_calls_out_of_office_when_outgoing_message(sandbox: Sandbox) -> None:
    """spec/services/message_templates/hook_execution_service_spec.rb: it 'will not calls
    ::MessageTemplates::Template::OutOfOffice when outgoing message' (the agent's, in a new conversation)."""
    visitor = Visitor(sandbox, **_closed_today())
    visitor.give_email()
    display_id = visitor.open_conversation()
    visitor.agent_reply(display_id)
    assert visitor.templates(display_id) == []


def test_does_not_call_out_of_office_on_campaign_conversations(sandbox: Sandbox) -> None:
    """spec/services/message_templates/hook_execution_service_spec.rb: it 'does not call
    ::MessageTemplates::Template::OutOfOffice on campaign conversations' (the visitor writes six minutes after the
    campaign's message, past the five minutes in which an agent's reply holds the message back on its own)."""
    visitor = Visitor(sandbox, **_closed_today())
    visitor.give_email()
    visitor.start_campaign()
    sandbox.control("POST", "clock", json={"advance": 360})
    display_id = visitor.send()
    assert [m["message_type"] for m in visitor.messages(display_id)] == [1, 0]
    assert visitor.templates(display_id) == []
