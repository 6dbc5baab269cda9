"""Campaigns (CampaignsController and the campaign partial) over HTTP: kept, listed and validated as Chatwoot
does (the widget's `campaign.triggered` is in test_widget_campaigns.py; one-off campaigns are never sent)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Sandbox

WIDGET = {"type": "web_widget", "website_url": "https://loja.example.com"}
SMS = {"type": "sms", "phone_number": "+5511900001111", "provider_config": {}}
KEYS = {
    "id",
    "title",
    "description",
    "account_id",
    "inbox",
    "sender",
    "message",
    "campaign_status",
    "enabled",
    "campaign_type",
    "trigger_rules",
    "trigger_only_during_business_hours",
    "created_at",
    "updated_at",
}


def _inbox(box: Sandbox, channel: dict[str, Any]) -> int:
    response = box.api("POST", "inboxes", json={"name": "Campanhas", "channel": channel})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def _create(box: Sandbox, token: str | None = None, **fields: Any) -> Any:
    return box.api("POST", "campaigns", token=token, json={"campaign": fields})


def test_a_website_campaign_is_ongoing_with_the_partial_s_keys_and_numbered_per_account(sandbox: Sandbox) -> None:
    inbox_id = _inbox(sandbox, WIDGET)
    first = _create(sandbox, title="Boas-vindas", message="Olá!", inbox_id=inbox_id, sender_id=2)
    assert first.status_code == 200, first.text
    body = first.json()
    assert set(body) == KEYS
    assert body["campaign_type"] == "ongoing" and body["campaign_status"] == "active" and body["enabled"] is True
    assert body["inbox"]["id"] == inbox_id and body["sender"]["id"] == 2 and body["trigger_rules"] == {}
    second = _create(sandbox, title="Outra", message="Oi", inbox_id=inbox_id).json()
    assert second["id"] == body["id"] + 1 and second["sender"] == {}
    listed = sandbox.api("GET", "campaigns").json()
    assert [c["id"] for c in listed] == [body["id"], second["id"]]
    assert sandbox.api("GET", f"campaigns/{body['id']}").json()["title"] == "Boas-vindas"


def test_an_sms_campaign_is_one_off_scheduled_now_unless_given(sandbox: Sandbox) -> None:
    inbox_id = _inbox(sandbox, SMS)
    body = _create(sandbox, title="Promo", message="Desconto", inbox_id=inbox_id, audience=[{"type": "Label", "id": 1}])
    assert body.status_code == 200, body.text
    created = body.json()
    assert created["campaign_type"] == "one_off" and created["scheduled_at"] > 0
    assert created["audience"] == [{"type": "Label", "id": 1}]
    later = _create(sandbox, title="Depois", message="x", inbox_id=inbox_id, scheduled_at="2030-01-02T03:04:05Z")
    assert later.json()["scheduled_at"] == 1893553445


def test_invalid_campaigns_are_422_with_the_record_s_messages(sandbox: Sandbox) -> None:
    empty = _create(sandbox, description="nada")
    assert empty.status_code == 422
    assert empty.json() == {
        "message": "Inbox can't be blank, Title can't be blank, Message can't be blank, Inbox must exist",
        "attributes": ["inbox_id", "title", "message", "inbox"],
    }
    api_inbox = _create(sandbox, title="t", message="m", inbox_id=1)
    assert api_inbox.json() == {"message": "Inbox Unsupported Inbox type", "attributes": ["inbox"]}
    widget = _inbox(sandbox, WIDGET)
    bad_url = _create(sandbox, title="t", message="m", inbox_id=widget, trigger_rules={"url": "loja.com"})
    assert bad_url.json() == {"message": "Url invalid", "attributes": ["url"]}
    missing = sandbox.api("POST", "campaigns", json={})
    assert missing.status_code == 422
    assert sandbox.api("GET", "campaigns").json() == []


def test_campaigns_are_for_administrators_only(sandbox: Sandbox) -> None:
    widget = _inbox(sandbox, WIDGET)
    agent = _create(sandbox, token=sandbox.agent_token, title="t", message="m", inbox_id=widget)
    assert agent.status_code == 401
    assert sandbox.api("GET", "campaigns", token=sandbox.agent_token).status_code == 401
    assert sandbox.api("GET", "campaigns").json() == []


def test_deleting_a_campaign_or_its_inbox_removes_it(sandbox: Sandbox) -> None:
    widget = _inbox(sandbox, WIDGET)
    first = _create(sandbox, title="a", message="m", inbox_id=widget).json()
    second = _create(sandbox, title="b", message="m", inbox_id=widget).json()
    assert sandbox.api("DELETE", f"campaigns/{first['id']}").status_code == 200
    assert sandbox.api("GET", f"campaigns/{first['id']}").status_code == 404
    assert sandbox.api("DELETE", f"inboxes/{widget}").status_code == 200
    assert sandbox.api("GET", f"campaigns/{second['id']}").status_code == 404
