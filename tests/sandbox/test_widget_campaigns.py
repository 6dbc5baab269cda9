"""The widget's `campaign.triggered` event beyond Chatwoot's specs: the events the campaign's conversation sends,
what it records, its status on a bot's inbox, and the events that build nothing."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Sandbox
from tests.sandbox.conftest import Receiver, wait_for
from tests.sandbox.rspec.support import subscribe
from tests.sandbox.widget_support import trigger_campaign, widget_campaign, widget_inbox, widget_post, widget_session

BROWSER = {
    "browser_name": "Unknown Browser",
    "browser_version": "0.0",
    "device_name": "Unknown",
    "platform_name": "Unknown",
    "platform_version": "0",
}


class Visitor:
    def __init__(self, box: Sandbox, bot: bool = False) -> None:
        self.box = box
        inbox = widget_inbox(box)
        self.inbox_id, self.website_token = inbox["id"], inbox["website_token"]
        if bot:
            body = {"agent_bot": box.agent_bot_id}
            assert box.api("POST", f"inboxes/{self.inbox_id}/set_agent_bot", json=body).status_code == 200
        session = widget_session(box, self.website_token)
        self.token = session["website_channel_config"]["auth_token"]
        self.contact_id = session["contact"]["id"]

    def trigger(self, event_info: dict[str, Any]) -> None:
        trigger_campaign(self.box, self.website_token, self.token, event_info)

    def conversations(self) -> list[dict[str, Any]]:
        return [c for c in self.box.control("GET", "state")["conversations"] if c["contact_id"] == self.contact_id]


def test_a_campaign_conversation_sends_conversation_created_then_the_sender_s_message(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    """The event's keys other than the campaign id and custom attributes, then the widget's locale, browser language
    and browser, are the conversation's additional attributes; the campaign's message is Liquid rendered and sent
    by its sender; the widget's conversation record (`as_json`) shows the campaign's id."""
    subscribe(sandbox, receiver.url, ["conversation_created", "message_created"])
    visitor = Visitor(sandbox)
    display_id = widget_campaign(sandbox, visitor.inbox_id, "Oi, sou {{agent.name}}", sender_id=2)
    info = {"campaign_id": str(display_id), "referer": "https://loja.example/precos", "initiated_at": {"timestamp": 7}}
    body = {"website_token": visitor.website_token, "name": "campaign.triggered", "event_info": info, "locale": "pt_BR"}
    response = widget_post(sandbox, "events", visitor.token, headers={"Accept-Language": "pt-BR"}, json=body)
    assert response.status_code == 204, response.text
    wait_for(lambda: receiver.events() == ["conversation_created", "message_created"])
    with receiver.lock:
        created, message = (json.loads(r.body) for r in receiver.received)
    assert created["status"] == "open" and created["custom_attributes"] == {}
    # the builder's transaction commits both records before the listeners' job builds the payload
    assert [m["content"] for m in created["messages"]] == ["Oi, sou Bruno Agente"]
    assert created["additional_attributes"] == {
        "referer": "https://loja.example/precos",
        "initiated_at": {"timestamp": 7},
        "widget_language": "pt_BR",
        "browser_language": "pt",
        "browser": BROWSER,
    }
    assert message["content"] == "Oi, sou Bruno Agente" and message["message_type"] == "outgoing"
    assert message["sender"]["id"] == 2 and message["conversation"]["id"] == created["id"]
    campaign = next(c["id"] for c in sandbox.control("GET", "state")["campaigns"] if c["display_id"] == display_id)
    params = {"website_token": visitor.website_token, "custom_attribute": "none"}
    record = widget_post(sandbox, "conversations/destroy_custom_attributes", visitor.token, json=params).json()
    assert record["campaign_id"] == campaign and record["display_id"] == created["id"]


def test_on_a_bot_s_inbox_only_a_campaign_without_a_sender_leaves_the_conversation_pending(sandbox: Sandbox) -> None:
    """Conversation#handle_campaign_status: a sender's campaign opens the conversation, as the agent speaks."""
    with_sender, without = Visitor(sandbox, bot=True), None
    with_sender.trigger({"campaign_id": widget_campaign(sandbox, with_sender.inbox_id, sender_id=2)})
    assert [c["status"] for c in with_sender.conversations()] == ["open"]
    without = Visitor(sandbox, bot=True)
    without.trigger({"campaign_id": widget_campaign(sandbox, without.inbox_id)})
    [conv] = without.conversations()
    assert conv["status"] == "pending" and conv["messages"][0]["sender_type"] is None


def test_an_unknown_campaign_or_another_inbox_s_builds_nothing_a_disabled_one_still_builds(sandbox: Sandbox) -> None:
    """`inbox.campaigns.find_by!(display_id:)` fails the listener's job (the answer is 204 already); the builder does
    not look at `enabled`, the widget only triggers enabled campaigns."""
    visitor, other = Visitor(sandbox), Visitor(sandbox)
    elsewhere = widget_campaign(sandbox, other.inbox_id)
    visitor.trigger({"campaign_id": 999})
    visitor.trigger({"campaign_id": "not a number"})
    visitor.trigger({"campaign_id": elsewhere})
    assert visitor.conversations() == []
    disabled = widget_campaign(sandbox, visitor.inbox_id, enabled=False)
    visitor.trigger({"campaign_id": disabled})
    assert len(visitor.conversations()) == 1


def test_destroying_the_campaign_leaves_its_conversations_without_one(sandbox: Sandbox) -> None:
    """Campaign `has_many :conversations, dependent: :nullify`."""
    visitor = Visitor(sandbox)
    display_id = widget_campaign(sandbox, visitor.inbox_id)
    visitor.trigger({"campaign_id": display_id})
    assert visitor.conversations()[0]["campaign_id"] is not None
    assert sandbox.api("DELETE", f"campaigns/{display_id}").status_code == 200
    assert [c["campaign_id"] for c in visitor.conversations()] == [None]
