"""Ports of spec/controllers/api/v1/accounts/inboxes_controller_spec.rb that need a Twitter inbox. Chatwoot makes
one only in Twitter's OAuth callback; `POST /_sandbox/twitter_inboxes` stands in for the spec's
`create(:channel_twitter_profile)` and `create(:inbox, channel:)`."""

from __future__ import annotations

from tests.conftest import Sandbox

from .support import token


def test_updates_twitter_inbox_when_administrator(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'updates twitter inbox when administrator'
    (`channel: {tweets_enabled: false}`, Channel::TwitterProfile::EDITABLE_ATTRS)."""
    created = sandbox.control("POST", "twitter_inboxes", json={"name": "Twitter Acme", "tweets_enabled": True})
    inbox_id = created["id"]
    assert sandbox.api("GET", f"inboxes/{inbox_id}").json()["tweets_enabled"] is True

    agent = sandbox.api(
        "PATCH", f"inboxes/{inbox_id}", token(sandbox, "bruno"), json={"channel": {"tweets_enabled": False}}
    )
    assert agent.status_code == 401
    response = sandbox.api("PATCH", f"inboxes/{inbox_id}", json={"channel": {"tweets_enabled": False}})
    assert response.status_code == 200, response.text
    assert response.json()["tweets_enabled"] is False and response.json()["channel_type"] == "Channel::TwitterProfile"
    assert sandbox.api("GET", f"inboxes/{inbox_id}").json()["tweets_enabled"] is False
