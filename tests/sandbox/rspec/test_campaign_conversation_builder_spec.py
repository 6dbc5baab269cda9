"""Ports of spec/builders/campaigns/campaign_conversation_builder_spec.rb over HTTP: Campaigns::
CampaignConversationBuilder as the widget's `campaign.triggered` event runs it (`POST /api/v1/widget/events`).

The factory's inbox is a web widget and its contact inbox a widget visitor's session; the conversation is read from
`/_sandbox/state` (its `campaign_id` is the campaign's id, not its display id) and its messages from the account
API."""

from __future__ import annotations

from tests.conftest import Sandbox
from tests.sandbox.widget_support import (
    trigger_campaign,
    widget_campaign,
    widget_inbox,
    widget_request,
    widget_session,
)

MESSAGE = "Posso ajudar com a sua compra?"


class Visitor:
    """A widget visitor on a new web widget inbox that has a campaign (trigger url https://test.com)."""

    def __init__(self, box: Sandbox) -> None:
        self.box = box
        inbox = widget_inbox(box)
        self.website_token = inbox["website_token"]
        self.campaign = widget_campaign(box, inbox["id"], MESSAGE, trigger_rules={"url": "https://test.com"})
        session = widget_session(box, self.website_token)
        self.token = session["website_channel_config"]["auth_token"]
        self.contact_id = session["contact"]["id"]

    def trigger(self) -> None:
        trigger_campaign(self.box, self.website_token, self.token, {"campaign_id": self.campaign})

    def conversations(self) -> list[dict]:
        return [c for c in self.box.control("GET", "state")["conversations"] if c["contact_id"] == self.contact_id]

    def campaign_id(self) -> int:
        return next(c["id"] for c in self.box.control("GET", "state")["campaigns"] if c["display_id"] == self.campaign)


def test_creates_a_conversation_with_campaign_id_and_message_with_campaign_message(sandbox: Sandbox) -> None:
    """spec/builders/campaigns/campaign_conversation_builder_spec.rb: it 'creates a conversation with campaign id
    and message with campaign message'."""
    visitor = Visitor(sandbox)
    visitor.trigger()
    [conv] = visitor.conversations()
    assert conv["campaign_id"] == visitor.campaign_id()
    messages = sandbox.api("GET", f"conversations/{conv['id']}/messages").json()["payload"]
    assert [(m["content"], m["message_type"]) for m in messages] == [(MESSAGE, 1)]


def test_will_not_create_a_conversation_with_campaign_id_if_another_conversation_exists(sandbox: Sandbox) -> None:
    """spec/builders/campaigns/campaign_conversation_builder_spec.rb: it 'will not create a conversation with
    campaign id if another conversation exists' (the visitor's own conversation, resolved: any status counts)."""
    visitor = Visitor(sandbox)
    body = {"website_token": visitor.website_token, "message": {"content": "Oi"}}
    response = widget_request(sandbox, "POST", "messages", visitor.token, json=body)
    assert response.status_code == 200, response.text
    display_id = response.json()["conversation_id"]
    resolved = sandbox.api("POST", f"conversations/{display_id}/toggle_status", json={"status": "resolved"})
    assert resolved.status_code == 200, resolved.text
    visitor.trigger()
    assert [(c["id"], c["campaign_id"]) for c in visitor.conversations()] == [(display_id, None)]
