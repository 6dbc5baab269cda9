"""Ports of spec/controllers/public/api/v1/inbox/inboxes_controller_spec.rb over HTTP."""

from __future__ import annotations

from tests.conftest import Sandbox

from .support import public


def test_is_able_to_fetch_the_details_of_an_inbox(sandbox: Sandbox) -> None:
    """spec/controllers/public/api/v1/inbox/inboxes_controller_spec.rb: it 'is able to fetch the details of an
    inbox'."""
    identifier = sandbox.inbox("Site")["inbox_identifier"]
    response = public(sandbox, "GET", identifier)
    assert response.status_code == 200
    data = response.json()
    assert {"name", "timezone", "working_hours", "working_hours_enabled"} <= set(data)
    assert {"csat_survey_enabled", "greeting_enabled", "identity_validation_enabled"} <= set(data)
    assert "send_message_signature" in data
    assert data["identifier"] == identifier
