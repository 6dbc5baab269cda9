"""Ports of spec/controllers/api/v1/accounts/inboxes_controller_spec.rb's WhatsApp rows: the spec's
`create(:channel_whatsapp, sync_templates: false, validate_provider_config: false)` is POST /inboxes with
`channel: {type: "whatsapp"}` (the sandbox validates no provider config and fetches no templates)."""

from __future__ import annotations

import itertools
from typing import Any

from tests.conftest import Sandbox
from tests.sandbox.conftest import Providers

from .support import cloud_inbox, refuse_token_twice, user_id
from .support import token as tok

_numbers = itertools.count(1)


def _whatsapp_inbox(box: Sandbox, provider: str = "default", **config: Any) -> dict[str, Any]:
    channel = {
        "type": "whatsapp",
        "phone_number": f"+5511900000{next(_numbers):03d}",
        "provider": provider,
        "provider_config": {"api_key": "test_key", **config},
    }
    response = box.api("POST", "inboxes", json={"name": "WhatsApp Business", "channel": channel})
    assert response.status_code == 200, response.text
    return response.json()


def test_returns_provider_config_attributes_for_admin(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns provider config attributes for
    admin'."""
    inbox = _whatsapp_inbox(sandbox)
    response = sandbox.api("GET", "inboxes")
    assert response.status_code == 200 and "provider_config" in response.text
    listed = next(i for i in response.json()["payload"] if i["id"] == inbox["id"])
    assert listed["provider_config"] == {"api_key": "test_key"}


def test_will_not_return_provider_config_for_agent(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'will not return provider config for
    agent' (Bruno is made a member of the WhatsApp inbox, as the spec's agent is)."""
    inbox = _whatsapp_inbox(sandbox)
    added = sandbox.api("POST", "inbox_members", json={"inbox_id": inbox["id"], "user_ids": [user_id("bruno")]})
    assert added.status_code == 200, added.text
    response = sandbox.api("GET", "inboxes", token=tok(sandbox, "bruno"))
    assert response.status_code == 200
    assert inbox["id"] in [i["id"] for i in response.json()["payload"]]
    assert "provider_config" not in response.text


def test_updates_whatsapp_inbox_when_administrator(providers: Providers) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'updates whatsapp inbox when administrator'
    (the spec's `prompt_reauthorization!` is Meta refusing the channel's token on two health checks; an
    embedded-signup Cloud channel, so the flag shows; new credentials end the prompt)."""
    box = providers.box
    inbox = cloud_inbox(providers)
    assert refuse_token_twice(providers, inbox) == [False, True]
    config = {**inbox["provider_config"], "api_key": "new_key"}  # still an embedded-signup channel
    body = {"enable_auto_assignment": False, "channel": {"provider_config": config}}
    response = box.api("PATCH", f"inboxes/{inbox['id']}", json=body)
    assert response.status_code == 200, response.text
    shown = box.api("GET", f"inboxes/{inbox['id']}").json()
    assert shown["enable_auto_assignment"] is False
    assert shown["provider_config"]["api_key"] == "new_key"
    assert shown["reauthorization_required"] is False


def test_returns_bad_request_error_for_non_cloud_provider(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns bad request error for non-cloud
    provider' (the later message, naming Twilio SMS too)."""
    inbox = _whatsapp_inbox(sandbox, provider="default")
    response = sandbox.api("GET", f"inboxes/{inbox['id']}/health")
    assert response.status_code == 400
    assert response.json() == {"error": "Health data only available for WhatsApp Cloud API and Twilio SMS channels"}


def test_successfully_initiates_template_sync(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'successfully initiates template sync' (the
    job is only queued; the sandbox runs none)."""
    inbox = _whatsapp_inbox(sandbox, provider="whatsapp_cloud", phone_number_id="123", business_account_id="456")
    response = sandbox.api("POST", f"inboxes/{inbox['id']}/sync_templates")
    assert response.status_code == 200
    assert response.json() == {"message": "Template sync initiated successfully"}
