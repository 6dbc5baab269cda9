"""Ports of spec/controllers/api/v1/accounts/inboxes_controller_spec.rb's LINE and SMS creation rows (POST /inboxes;
no provider is reached)."""

from __future__ import annotations

import uuid

from tests.conftest import Sandbox


def test_creates_a_line_inbox_when_administrator(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'creates a line inbox when administrator'."""
    channel = {
        "type": "line",
        "line_channel_id": str(uuid.uuid4()),
        "line_channel_secret": str(uuid.uuid4()),
        "line_channel_token": str(uuid.uuid4()),
    }
    response = sandbox.api("POST", "inboxes", json={"name": "Line Inbox", "channel": channel})
    assert response.status_code == 200, response.text
    assert "Line Inbox" in response.text and "callback_webhook_url" in response.text
    assert response.json()["callback_webhook_url"].endswith(f"/webhooks/line/{channel['line_channel_id']}")
    assert response.json()["channel_type"] == "Channel::Line"


def test_creates_a_sms_inbox_when_administrator(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'creates a sms inbox when administrator'."""
    channel = {"type": "sms", "phone_number": "+123456789", "provider_config": {"test": "test"}}
    response = sandbox.api("POST", "inboxes", json={"name": "Sms Inbox", "channel": channel})
    assert response.status_code == 200, response.text
    assert "Sms Inbox" in response.text and "+123456789" in response.text
    assert response.json()["channel_type"] == "Channel::Sms"
