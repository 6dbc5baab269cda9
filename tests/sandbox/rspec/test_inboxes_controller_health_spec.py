"""Ports of spec/controllers/api/v1/accounts/inboxes_controller_spec.rb's rows that need Meta's answers: a WhatsApp
Cloud inbox's health, its reauthorization prompt, and a template sync whose job cannot be queued.

Where the spec stubs Whatsapp::HealthService, the sandbox asks a fake Graph API (tests/fakes/meta_graph.py) for the
channel's phone number, as the service does; where the spec calls `prompt_reauthorization!` directly, Meta refuses
the channel's token on two health checks, which is how the channel reaches Reauthorizable's threshold."""

from __future__ import annotations

from typing import Any

from tests.conftest import Sandbox
from tests.fakes.meta_graph import UNEXPECTED
from tests.sandbox.conftest import Providers

from .support import cloud_inbox, refuse_token_twice, user_id
from .support import token as tok


def _health(box: Sandbox, inbox: dict[str, Any], who: str = "admin") -> Any:
    return box.api("GET", f"inboxes/{inbox['id']}/health", token=tok(box, who))


def test_returns_health_data_for_administrator(providers: Providers) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns health data for administrator'
    (the keys the service formats from Graph's phone number, `business_id` from the channel's config)."""
    inbox = cloud_inbox(providers)
    response = _health(providers.box, inbox)
    assert response.status_code == 200, response.text
    config = inbox["provider_config"]
    body = response.json()
    assert {k: body[k] for k in ("display_phone_number", "name_status", "quality_rating", "account_mode")} == {
        "display_phone_number": inbox["phone_number"],
        "name_status": "APPROVED",
        "quality_rating": "GREEN",
        "account_mode": "LIVE",
    }
    assert body["verified_name"].startswith("Acme ") and body["messaging_limit_tier"] == "TIER_1K"
    assert body["business_id"] == config["business_account_id"] and body["id"] == config["phone_number_id"]
    assert body["expected_webhook_url"] == f"{providers.box.base_url}/webhooks/whatsapp"


def test_returns_health_data_for_agent_with_inbox_access(providers: Providers) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns health data for agent with inbox
    access' (Bruno made a member of the inbox)."""
    box = providers.box
    inbox = cloud_inbox(providers)
    added = box.api("POST", "inbox_members", json={"inbox_id": inbox["id"], "user_ids": [user_id("bruno")]})
    assert added.status_code == 200, added.text
    response = _health(box, inbox, "bruno")
    assert response.status_code == 200, response.text
    assert response.json()["display_phone_number"] == inbox["phone_number"]


def test_calls_the_health_service_with_correct_channel(providers: Providers) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'calls the health service with correct
    channel' (of two Cloud inboxes, Meta is asked once, for the second's phone number with the second's token)."""
    cloud_inbox(providers)
    second = cloud_inbox(providers)
    response = _health(providers.box, second)
    assert response.status_code == 200, response.text
    config = second["provider_config"]
    [asked] = providers.meta.requests
    assert asked.path == f"/v22.0/{config['phone_number_id']}"
    assert asked.query["access_token"] == config["api_key"]
    assert {"quality_rating", "messaging_limit_tier", "display_phone_number", "name_status"} <= set(asked.fields)
    assert response.json()["id"] == config["phone_number_id"]


def test_handles_service_errors_gracefully(providers: Providers) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'handles service errors gracefully' (Meta
    answers a 500: a 422 whose error carries the service's message with Meta's own)."""
    inbox = cloud_inbox(providers)
    providers.meta.fail_next(500)
    response = _health(providers.box, inbox)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error.startswith("WhatsApp API request failed: 500 - ") and UNEXPECTED in error
    assert _health(providers.box, inbox).status_code == 200  # the next check reads Meta again


def test_returns_reauthorization_required_for_embedded_signup_whatsapp_channel_when_reauth_required(
    providers: Providers,
) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns reauthorization_required for
    embedded signup whatsapp channel when reauth required' (the first refusal is counted, the second reaches
    Reauthorizable's threshold of 2 and prompts the reauthorization)."""
    inbox = cloud_inbox(providers)
    assert inbox["reauthorization_required"] is False
    assert refuse_token_twice(providers, inbox) == [False, True]


def test_does_not_flag_reauthorization_required_for_manual_whatsapp_channel_even_when_reauth_required(
    providers: Providers,
) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'does not flag reauthorization_required for
    manual whatsapp channel even when reauth required' (provider_config's source is `manual`)."""
    inbox = cloud_inbox(providers, source="manual")
    assert refuse_token_twice(providers, inbox) == [False, False]


def test_handles_job_errors_gracefully(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'handles job errors gracefully' (the queue
    refuses Channels::Whatsapp::TemplatesSyncJob once, injected through `/_sandbox/faults`)."""
    channel = {"type": "whatsapp", "phone_number": "+5511966660000", "provider": "whatsapp_cloud"}
    created = sandbox.api("POST", "inboxes", json={"name": "WhatsApp Cloud", "channel": channel})
    assert created.status_code == 200, created.text
    sandbox.control("POST", "faults", json={"job": "Channels::Whatsapp::TemplatesSyncJob", "error": "Job failed"})
    response = sandbox.api("POST", f"inboxes/{created.json()['id']}/sync_templates")
    assert response.status_code == 500
    assert response.json() == {"error": "Job failed"}
    assert sandbox.control("GET", "faults")["job_faults"] == []
    again = sandbox.api("POST", f"inboxes/{created.json()['id']}/sync_templates")
    assert again.json() == {"message": "Template sync initiated successfully"}
