"""An inbox's health check and webhook registration beyond the spec's rows: the `/_sandbox/providers` control, the
502 of a provider the sandbox does not reach, the providers' failures as Chatwoot's 422s, a messaging service."""

from __future__ import annotations

import itertools
from typing import Any

import httpx2

from tests.conftest import Sandbox, start_sandbox, stop_process
from tests.fakes.meta_graph import FakeMetaGraph, phone_number
from tests.sandbox.conftest import Providers

_numbers = itertools.count(1)
NO_URLS = {"meta_graph_url": None, "twilio_api_url": None, "twilio_messaging_url": None}


def _cloud_inbox(box: Sandbox, **config: Any) -> dict[str, Any]:
    phone = f"+55119555{next(_numbers):05d}"
    channel = {"type": "whatsapp", "phone_number": phone, "provider": "whatsapp_cloud"}
    body = {"name": "WhatsApp Cloud", "channel": {**channel, "provider_config": config}}
    response = box.api("POST", "inboxes", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def _twilio_inbox(box: Sandbox, **fields: Any) -> dict[str, Any]:
    given = {"name": "SMS", "account_sid": "AC9", "auth_token": "certo", "phone_number": "+15550990001", **fields}
    response = box.api("POST", "channels/twilio_channel", json={"twilio_channel": given})
    assert response.status_code == 200, response.text
    return response.json()


def test_providers_are_set_through_the_control_api_and_forgotten_on_reset(sandbox: Sandbox) -> None:
    assert sandbox.control("GET", "providers") == NO_URLS
    set_to = sandbox.control("POST", "providers", json={"meta_graph_url": "http://127.0.0.1:9/"})
    assert set_to == {**NO_URLS, "meta_graph_url": "http://127.0.0.1:9"}
    for wrong in ({"graph": "http://x"}, {"twilio_api_url": "ftp://x"}, []):
        refused = httpx2.post(f"{sandbox.base_url}/_sandbox/providers", json=wrong, timeout=10)
        assert refused.status_code == 422, wrong
    sandbox.reset()
    assert sandbox.control("GET", "providers") == NO_URLS


def test_the_start_up_flags_set_the_urls_a_reset_restores(meta_server: FakeMetaGraph) -> None:
    box = start_sandbox("--meta-graph-url", meta_server.url, "--twilio-api-url", "https://api.twilio.com/")
    try:
        given = {**NO_URLS, "meta_graph_url": meta_server.url, "twilio_api_url": "https://api.twilio.com"}
        assert box.control("GET", "providers") == given
        box.control("POST", "providers", json={"meta_graph_url": None})
        box.reset()
        assert box.control("GET", "providers") == given
    finally:
        stop_process(box.process)


def test_a_provider_without_a_url_is_a_502_after_the_channel_is_validated(sandbox: Sandbox) -> None:
    incomplete = _cloud_inbox(sandbox, api_key="token")
    response = sandbox.api("GET", f"inboxes/{incomplete['id']}/health")
    assert (response.status_code, response.json()) == (422, {"error": "Phone number ID is missing"})
    cloud = _cloud_inbox(sandbox, api_key="token", phone_number_id="1")
    twilio = _twilio_inbox(sandbox)
    for inbox, provider in ((cloud, "Meta's Graph API"), (twilio, "Twilio's API")):
        response = sandbox.api("GET", f"inboxes/{inbox['id']}/health")
        assert response.status_code == 502
        assert response.json() == {"error": f"The sandbox does not reach {provider} (no base URL configured)"}


def test_twilio_refusing_the_credentials_is_a_422_with_twilio_rubys_message(providers: Providers) -> None:
    providers.twilio.add_account("AC9", "outro")
    inbox = _twilio_inbox(providers.box)
    for action in ("GET health", "POST register_webhook"):
        method, name = action.split()
        response = providers.box.api(method, f"inboxes/{inbox['id']}/{name}")
        assert response.status_code == 422, action
        assert response.json()["error"] == (
            "[HTTP 401] 20003 : Unable to fetch page\nAuthenticate\nhttps://www.twilio.com/docs/errors/20003\n\n"
        )


def test_a_number_twilio_does_not_list_fails_the_health_check_but_not_the_registration(
    providers: Providers,
) -> None:
    providers.twilio.add_account("AC9", "certo")
    inbox = _twilio_inbox(providers.box)
    health = providers.box.api("GET", f"inboxes/{inbox['id']}/health")
    assert health.status_code == 422
    assert health.json() == {"error": "Phone number +15550990001 was not found in the connected Twilio account"}
    registered = providers.box.api("POST", f"inboxes/{inbox['id']}/register_webhook")
    assert registered.json() == {"message": "Webhook registered successfully"}


def test_a_messaging_service_is_checked_and_registered_instead_of_the_number(providers: Providers) -> None:
    twilio = providers.twilio
    twilio.add_account("AC9", "certo")
    service = twilio.add_service(
        "AC9", inbound_request_url="https://old.example.com", use_inbound_webhook_on_number=True
    )
    inbox = _twilio_inbox(providers.box, phone_number=None, messaging_service_sid=service["sid"])
    health = providers.box.api("GET", f"inboxes/{inbox['id']}/health").json()
    assert health["sender"] == {"type": "messaging_service", "sid": service["sid"], "label": "Acme notifications"}
    assert health["webhooks"][0]["reason"] == "overridden_by_number"
    registered = providers.box.api("POST", f"inboxes/{inbox['id']}/register_webhook")
    assert registered.status_code == 200, registered.text
    assert twilio.services[service["sid"]]["use_inbound_webhook_on_number"] is False
    assert providers.box.api("GET", f"inboxes/{inbox['id']}/health").json()["status"] == "healthy"


def test_registering_a_webhook_is_for_administrators_and_health_inboxes(providers: Providers) -> None:
    box = providers.box
    agents = box.api("POST", "inboxes/1/register_webhook", token=box.agent_token)
    assert (agents.status_code, agents.json()) == (401, {"error": "You are not authorized to do this action"})
    api_inbox = box.api("POST", "inboxes/1/register_webhook")
    assert api_inbox.status_code == 400
    cloud = _cloud_inbox(box, api_key="token", phone_number_id="1")
    assert box.api("POST", f"inboxes/{cloud['id']}/register_webhook").status_code == 502


def test_a_graph_error_other_than_190_is_a_422_that_prompts_no_reauthorization(providers: Providers) -> None:
    providers.meta.add("outro-token", phone_number("77", "+55 11 95555-0000"))
    inbox = _cloud_inbox(providers.box, api_key="token", phone_number_id="77", source="embedded_signup")
    for _ in range(2):  # Reauthorizable's threshold, had these been authorization errors
        response = providers.box.api("GET", f"inboxes/{inbox['id']}/health")
        assert response.status_code == 422
        assert response.json()["error"].startswith("WhatsApp API request failed: 400 - ")
        assert '"type":"GraphMethodException","code":100' in response.json()["error"]
    assert providers.box.api("GET", f"inboxes/{inbox['id']}").json()["reauthorization_required"] is False


def test_a_job_fault_needs_a_job_name_and_is_listed_until_used(sandbox: Sandbox) -> None:
    refused = httpx2.post(f"{sandbox.base_url}/_sandbox/faults", json={"job": "", "error": "x"}, timeout=10)
    assert refused.status_code == 422
    listed = sandbox.control("POST", "faults", json={"job": "Channels::Twilio::TemplatesSyncJob", "count": 2})
    assert listed["job_faults"] == [{"job": "Channels::Twilio::TemplatesSyncJob", "error": "Job failed", "count": 2}]
    inbox = _twilio_inbox(sandbox, medium="whatsapp")
    for _ in range(2):
        response = sandbox.api("POST", f"inboxes/{inbox['id']}/sync_templates")
        assert (response.status_code, response.json()) == (500, {"error": "Job failed"})
    response = sandbox.api("POST", f"inboxes/{inbox['id']}/sync_templates")
    assert response.json() == {"message": "Template sync initiated successfully"}
