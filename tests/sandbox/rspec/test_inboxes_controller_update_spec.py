"""Ports of spec/controllers/api/v1/accounts/inboxes_controller_spec.rb's create and update (POST and PATCH
/inboxes, CSAT configuration) over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Sandbox

from .support import SITE
from .support import token as tok

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
WIDGET = {"name": "test", "channel": {"type": "web_widget", "website_url": "test.com"}}
CSAT = {
    "display_type": "emoji",
    "message": "How would you rate your experience?",
    "survey_rules": {"operator": "contains", "values": ["support", "help"]},
}
TEMPLATE = {"name": "custom_survey_template", "template_id": "123456789", "language": "en"}


def _inbox(box: Sandbox, inbox_id: int) -> dict[str, Any]:
    response = box.api("GET", f"inboxes/{inbox_id}")
    assert response.status_code == 200, response.text
    return response.json()


def _patch(box: Sandbox, inbox_id: int, **body: Any) -> dict[str, Any]:
    response = box.api("PATCH", f"inboxes/{inbox_id}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def _widget(box: Sandbox) -> dict[str, Any]:
    response = box.api("POST", "inboxes", json=WIDGET)
    assert response.status_code == 200, response.text
    return response.json()


def test_will_not_create_inbox_for_agent(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'will not create inbox for agent'."""
    response = sandbox.api("POST", "inboxes", token=tok(sandbox, "bruno"), json=WIDGET)
    assert response.status_code == 401
    assert len(sandbox.api("GET", "inboxes").json()["payload"]) == 2


def test_creates_a_webwidget_inbox_when_administrator(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'creates a webwidget inbox when
    administrator' (the schema is checked in tests/sandbox/test_spec_validation.py)."""
    response = sandbox.api("POST", "inboxes", json=WIDGET)
    assert response.status_code == 200
    assert "test.com" in response.text
    body = response.json()
    assert body["channel_type"] == "Channel::WebWidget" and body["website_url"] == "test.com"
    assert body["website_token"] in body["web_widget_script"]
    assert "inbox_identifier" not in body  # a widget is not reachable through the public API
    assert _inbox(sandbox, body["id"])["name"] == "test"


def test_creates_an_api_inbox_when_administrator(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'creates an api inbox when administrator'."""
    response = sandbox.api(
        "POST", "inboxes", json={"name": "API Inbox", "channel": {"type": "api", "webhook_url": "http://test.com"}}
    )
    assert response.status_code == 200
    assert "API Inbox" in response.text
    body = response.json()
    assert body["channel_type"] == "Channel::Api" and body["webhook_url"] == "http://test.com"
    assert body["inbox_identifier"] and body["hmac_token"] and body["timezone"] == "UTC"
    assert [day["day_of_week"] for day in body["working_hours"]] == list(range(7))
    assert body["id"] in [i["id"] for i in sandbox.api("GET", "inboxes").json()["payload"]]


def test_creates_the_webwidget_inbox_that_allow_messages_after_conversation_is_resolved(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'creates the webwidget inbox that allow
    messages after conversation is resolved'."""
    assert _widget(sandbox)["allow_messages_after_resolved"] is True


def test_will_not_update_inbox_for_agent(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'will not update inbox for agent' (a member
    of the inbox)."""
    body = {"name": "new test inbox", "enable_auto_assignment": False}
    response = sandbox.api("PATCH", f"inboxes/{SITE}", token=tok(sandbox, "bruno"), json=body)
    assert response.status_code == 401
    assert _inbox(sandbox, SITE)["name"] == "Site" and _inbox(sandbox, SITE)["enable_auto_assignment"] is True


def test_updates_inbox_when_administrator(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'updates inbox when administrator' (the
    sandbox has no help center portals: `portal_id` stays null, and one that does not exist is refused)."""
    body = _patch(sandbox, SITE, name="new test inbox", enable_auto_assignment=False, portal_id=None)
    assert body["name"] == "new test inbox" and body["enable_auto_assignment"] is False
    assert _inbox(sandbox, SITE)["enable_auto_assignment"] is False
    refused = sandbox.api("PATCH", f"inboxes/{SITE}", json={"portal_id": 42})
    assert refused.status_code == 422 and refused.json() == {"message": "Portal must exist", "attributes": ["portal"]}


def test_updates_api_inbox_when_administrator(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'updates api inbox when administrator'."""
    channel = {"webhook_url": "webhook.test", "selected_feature_flags": []}
    _patch(sandbox, SITE, enable_auto_assignment=False, channel=channel)
    found = _inbox(sandbox, SITE)
    assert found["enable_auto_assignment"] is False and found["webhook_url"] == "webhook.test"


def test_updates_avatar_when_administrator(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'updates avatar when administrator' (a
    multipart form, as the spec sends it)."""
    assert _inbox(sandbox, SITE)["avatar_url"] == ""
    data = {"name": "new test inbox", "enable_auto_assignment": "false"}
    response = sandbox.api("PATCH", f"inboxes/{SITE}", data=data, files={"avatar": ("avatar.png", PNG, "image/png")})
    assert response.status_code == 200, response.text
    found = _inbox(sandbox, SITE)
    assert found["avatar_url"].endswith("/avatar.png") and found["name"] == "new test inbox"
    assert found["enable_auto_assignment"] is False
    text = sandbox.api("PATCH", f"inboxes/{SITE}", files={"avatar": ("a.txt", b"oi", "text/plain")})
    assert text.status_code == 422 and text.json()["attributes"] == ["avatar"]


def test_updates_working_hours_when_administrator(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'updates working hours when administrator'
    (sent as JSON; the spec sends a form)."""
    hours = [{"day_of_week": 0, "open_hour": 9, "open_minutes": 0, "close_hour": 17, "close_minutes": 0}]
    _patch(sandbox, SITE, working_hours=hours, working_hours_enabled=True, out_of_office_message="hello")
    found = _inbox(sandbox, SITE)
    sunday = next(day for day in found["working_hours"] if day["day_of_week"] == 0)
    assert sunday["open_hour"] == 9
    assert found["working_hours_enabled"] is True and found["out_of_office_message"] == "hello"


def test_updates_the_webwidget_inbox_to_disallow_the_messages_after_conversation_is_resolved(
    sandbox: Sandbox,
) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'updates the webwidget inbox to disallow the
    messages after conversation is resolved'."""
    widget = _widget(sandbox)
    _patch(sandbox, widget["id"], name="new test inbox", allow_messages_after_resolved=False)
    assert _inbox(sandbox, widget["id"])["allow_messages_after_resolved"] is False


def test_successfully_updates_the_inbox_with_csat_configuration(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'successfully updates the inbox with CSAT
    configuration'."""
    response = sandbox.api("PATCH", f"inboxes/{SITE}", json={"csat_survey_enabled": True, "csat_config": CSAT})
    assert response.status_code == 200


@pytest.fixture
def csat_site(sandbox: Sandbox) -> Sandbox:
    """The spec's `when CSAT is configured` context."""
    _patch(sandbox, SITE, csat_survey_enabled=True, csat_config=CSAT)
    return sandbox


def test_returns_configured_csat_settings_in_inbox_details(csat_site: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns configured CSAT settings in inbox
    details'."""
    found = _inbox(csat_site, SITE)
    assert found["csat_survey_enabled"] is True
    assert found["csat_config"]["display_type"] == "emoji"


def test_returns_configured_csat_message(csat_site: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns configured CSAT message'."""
    assert _inbox(csat_site, SITE)["csat_config"]["message"] == "How would you rate your experience?"


def test_returns_configured_csat_survey_rules(csat_site: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns configured CSAT survey rules'."""
    rules = _inbox(csat_site, SITE)["csat_config"]["survey_rules"]
    assert rules["operator"] == "contains" and sorted(rules["values"]) == ["help", "support"]


def test_includes_csat_configuration_in_inbox_list(csat_site: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'includes CSAT configuration in inbox
    list'."""
    found = next(i for i in csat_site.api("GET", "inboxes").json()["payload"] if i["id"] == SITE)
    assert found["csat_survey_enabled"] is True
    assert found["csat_config"]["display_type"] == "emoji"


def test_successfully_updates_inbox_with_template_configuration(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'successfully updates inbox with template
    configuration'."""
    config = {**CSAT, "template": {**TEMPLATE, "created_at": "2026-01-01T00:00:00Z"}}
    body = _patch(sandbox, SITE, csat_survey_enabled=True, csat_config=config)
    assert {k: body["csat_config"]["template"][k] for k in TEMPLATE} == TEMPLATE


def test_returns_template_configuration_in_inbox_details(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns template configuration in inbox
    details'."""
    config = {**CSAT, "template": {**TEMPLATE, "created_at": "2026-01-01T00:00:00Z"}}
    _patch(sandbox, SITE, csat_survey_enabled=True, csat_config=config)
    template = _inbox(sandbox, SITE)["csat_config"]["template"]
    assert {k: template[k] for k in TEMPLATE} == TEMPLATE and template["created_at"]


def test_removes_template_configuration_when_not_provided_in_update(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'removes template configuration when not
    provided in update'."""
    _patch(sandbox, SITE, csat_survey_enabled=True, csat_config={**CSAT, "template": TEMPLATE})
    _patch(sandbox, SITE, csat_survey_enabled=True, csat_config={**CSAT, "message": "Updated message"})
    config = _inbox(sandbox, SITE)["csat_config"]
    assert config["message"] == "Updated message" and "template" not in config
