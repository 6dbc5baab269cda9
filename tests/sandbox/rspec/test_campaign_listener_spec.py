"""Ports of spec/listeners/campaign_listener_spec.rb over HTTP: CampaignListener#campaign_triggered, reached as the
widget reaches it, through `POST /api/v1/widget/events` with `name: campaign.triggered`.

The spec's builder double is read as the conversation the real builder makes for the visitor's contact inbox (or
its absence); the factory inbox is a web widget, its contact inbox a widget visitor's session."""

from __future__ import annotations

from typing import Any

from tests.conftest import Sandbox
from tests.sandbox.widget_support import trigger_campaign, widget_campaign, widget_inbox, widget_session


def _visitor(box: Sandbox) -> tuple[dict[str, Any], str, int]:
    """A new web widget inbox, a campaign on it (trigger url https://test.com) and a visitor's session."""
    inbox = widget_inbox(box)
    campaign = widget_campaign(box, inbox["id"], trigger_rules={"url": "https://test.com"})
    session = widget_session(box, inbox["website_token"])
    return session, inbox["website_token"], campaign


def _conversations(box: Sandbox, contact_id: int) -> list[dict[str, Any]]:
    return [c for c in box.control("GET", "state")["conversations"] if c["contact_id"] == contact_id]


def test_triggers_campaign_conversation_builder(sandbox: Sandbox) -> None:
    """spec/listeners/campaign_listener_spec.rb: it 'triggers campaign conversation builder' (the campaign's display
    id finds it; `custom_attributes` go to the conversation's custom attributes, not its additional ones)."""
    session, website_token, display_id = _visitor(sandbox)
    token = session["website_channel_config"]["auth_token"]
    trigger_campaign(sandbox, website_token, token, {"campaign_id": display_id, "custom_attributes": {"order_id": 321}})
    state = sandbox.control("GET", "state")
    campaign = next(c for c in state["campaigns"] if c["display_id"] == display_id)
    [conv] = _conversations(sandbox, session["contact"]["id"])
    assert conv["campaign_id"] == campaign["id"]
    assert conv["custom_attributes"] == {"order_id": 321}
    shown = sandbox.api("GET", f"conversations/{conv['id']}").json()
    assert not {"campaign_id", "custom_attributes"} & set(shown["additional_attributes"])


def test_does_not_trigger_campaign_conversation_builder(sandbox: Sandbox) -> None:
    """spec/listeners/campaign_listener_spec.rb: it 'does not trigger campaign conversation builder' (an
    `event_info` without a campaign id)."""
    session, website_token, _ = _visitor(sandbox)
    trigger_campaign(sandbox, website_token, session["website_channel_config"]["auth_token"], {})
    assert _conversations(sandbox, session["contact"]["id"]) == []
