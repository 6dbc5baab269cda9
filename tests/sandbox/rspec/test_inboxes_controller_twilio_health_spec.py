"""Ports of spec/controllers/api/v1/accounts/inboxes_controller_spec.rb's 'Twilio inbox health' rows: where the spec
stubs Twilio::HealthService, Twilio::WebhookSetupService or twilio-ruby's client, the sandbox asks a fake Twilio
(tests/fakes/twilio_api.py) for the account and the number, as those services do. The spec's
`create(:channel_twilio_sms, :with_phone_number)` is POST …/channels/twilio_channel with the fake account's
credentials."""

from __future__ import annotations

import itertools
from typing import Any

from tests.sandbox.conftest import Providers

_numbers = itertools.count(1)
ACCOUNT_SID, AUTH_TOKEN = "AC123", "secrettoken"


def _twilio_inbox(p: Providers, medium: str = "sms") -> dict[str, Any]:
    p.twilio.add_account(ACCOUNT_SID, AUTH_TOKEN, friendly_name="Acme Support", status="active", type="Trial")
    fields = {
        "name": "SMS",
        "account_sid": ACCOUNT_SID,
        "auth_token": AUTH_TOKEN,
        "phone_number": f"+1555010{next(_numbers):04d}",
        "medium": medium,
    }
    response = p.box.api("POST", "channels/twilio_channel", json={"twilio_channel": fields})
    assert response.status_code == 200, response.text
    return response.json()


def _health(p: Providers, inbox: dict[str, Any]) -> Any:
    return p.box.api("GET", f"inboxes/{inbox['id']}/health")


def test_returns_the_twilio_webhook_health(providers: Providers) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns the twilio webhook health' (Twilio
    has no messaging webhook set for the number)."""
    inbox = _twilio_inbox(providers)
    providers.twilio.add_number(ACCOUNT_SID, inbox["phone_number"])
    response = _health(providers, inbox)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "misconfigured"
    assert [(w["name"], w["configured"], w["reason"]) for w in response.json()["webhooks"]] == [
        ("messaging", False, "not_set")
    ]


def test_serializes_the_full_health_payload_over_http(providers: Providers) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'serializes the full health payload over
    http' (the number's SMS webhook points elsewhere; a Trial account)."""
    inbox = _twilio_inbox(providers)
    number = providers.twilio.add_number(
        ACCOUNT_SID,
        inbox["phone_number"],
        friendly_name="Support line",
        capabilities={"voice": False, "sms": True, "mms": True},
        sms_url="https://elsewhere.example.com/hook",
        sms_method="POST",
        sms_application_sid=None,
    )
    response = _health(providers, inbox)
    assert response.status_code == 200, response.text
    expected = f"{providers.box.base_url}/twilio/callback"
    assert response.json() == {
        "status": "misconfigured",
        "account": {"sid": ACCOUNT_SID, "friendly_name": "Acme Support", "status": "active", "type": "Trial"},
        "sender": {
            "type": "phone_number",
            "sid": number["sid"],
            "label": inbox["phone_number"],
            "friendly_name": "Support line",
            "capabilities": {"voice": False, "sms": True, "mms": True},
        },
        "voice_enabled": False,
        "webhooks": [
            {
                "name": "messaging",
                "expected": expected,
                "actual": "https://elsewhere.example.com/hook",
                "method": "POST",
                "configured": False,
                "reason": "url_mismatch",
            }
        ],
    }
    asked = [(r.method, r.path, r.query) for r in providers.twilio.requests]
    numbers = f"/2010-04-01/Accounts/{ACCOUNT_SID}/IncomingPhoneNumbers.json"
    assert asked == [
        ("GET", numbers, {"PhoneNumber": inbox["phone_number"]}),
        ("GET", f"/2010-04-01/Accounts/{ACCOUNT_SID}.json", {}),
    ]


def test_returns_bad_request_for_a_twilio_whatsapp_inbox(providers: Providers) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns bad request for a twilio whatsapp
    inbox' (before Twilio is asked anything)."""
    inbox = _twilio_inbox(providers, medium="whatsapp")
    response = _health(providers, inbox)
    assert response.status_code == 400
    assert response.json() == {"error": "Health data only available for WhatsApp Cloud API and Twilio SMS channels"}
    assert providers.twilio.requests == []


def test_registers_the_messaging_webhook(providers: Providers) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'registers the messaging webhook' (Twilio's
    number is pointed at the callback with POST, and the health check then finds it configured)."""
    inbox = _twilio_inbox(providers)
    number = providers.twilio.add_number(ACCOUNT_SID, inbox["phone_number"], sms_url="https://old.example.com/sms")
    response = providers.box.api("POST", f"inboxes/{inbox['id']}/register_webhook")
    assert response.status_code == 200, response.text
    assert response.json() == {"message": "Webhook registered successfully"}
    updated = providers.twilio.numbers[number["sid"]]
    assert (updated["sms_url"], updated["sms_method"]) == (f"{providers.box.base_url}/twilio/callback", "POST")
    assert _health(providers, inbox).json()["status"] == "healthy"
