"""Ports of spec/controllers/api/v1/accounts/inboxes_controller_spec.rb's Twilio rows: the spec's
`create(:channel_twilio_sms, account_sid: 'AC123', auth_token: 'secrettoken')` is
POST …/channels/twilio_channel as the administrator (the sandbox checks no credentials with Twilio)."""

from __future__ import annotations

import itertools
from typing import Any

from tests.conftest import Sandbox

from .support import token as tok
from .support import user_id

_numbers = itertools.count(1)


def _twilio_inbox(box: Sandbox) -> dict[str, Any]:
    body = {
        "twilio_channel": {
            "name": "SMS",
            "account_sid": "AC123",
            "auth_token": "secrettoken",
            "phone_number": f"+1555000{next(_numbers):04d}",
            "medium": "sms",
        }
    }
    response = box.api("POST", "channels/twilio_channel", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["channel_type"] == "Channel::TwilioSms"
    return response.json()


def test_returns_auth_token_and_account_sid_for_admin(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns auth_token and account_sid for
    admin'."""
    inbox = _twilio_inbox(sandbox)
    data = sandbox.api("GET", f"inboxes/{inbox['id']}").json()
    assert (data["auth_token"], data["account_sid"]) == ("secrettoken", "AC123")


def test_doesn_t_return_auth_token_and_account_sid_for_agent(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'doesn't return auth_token and account_sid
    for agent'."""
    inbox = _twilio_inbox(sandbox)
    added = sandbox.api("POST", "inbox_members", json={"inbox_id": inbox["id"], "user_ids": [user_id("bruno")]})
    assert added.status_code == 200, added.text
    response = sandbox.api("GET", f"inboxes/{inbox['id']}", token=tok(sandbox, "bruno"))
    assert response.status_code == 200
    assert response.json().get("auth_token") is None and response.json().get("account_sid") is None


def test_updates_twilio_sms_inbox_when_administrator(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'updates twilio sms inbox when
    administrator'."""
    inbox = _twilio_inbox(sandbox)
    body = {"channel": {"account_sid": "account_sid", "auth_token": "new_auth_token"}}
    response = sandbox.api("PATCH", f"inboxes/{inbox['id']}", json=body)
    assert response.status_code == 200, response.text
    data = sandbox.api("GET", f"inboxes/{inbox['id']}").json()
    assert (data["account_sid"], data["auth_token"]) == ("account_sid", "new_auth_token")
