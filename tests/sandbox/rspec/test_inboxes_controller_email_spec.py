"""Ports of spec/controllers/api/v1/accounts/inboxes_controller_spec.rb's email-inbox rows: the inbox is made with
POST /inboxes (`channel: {type: "email"}`), its IMAP and SMTP columns seen through GET /inboxes/:id."""

from __future__ import annotations

import itertools
from typing import Any

from tests.conftest import Sandbox

from .support import token as tok
from .support import user_id

_numbers = itertools.count(1)


def _email_inbox(box: Sandbox, **channel: Any) -> dict[str, Any]:
    """`create(:channel_email, account:)` and its inbox, as the administrator creates them."""
    body = {"name": "Email", "channel": {"type": "email", "email": f"inbox{next(_numbers)}@example.com", **channel}}
    response = box.api("POST", "inboxes", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def _show(box: Sandbox, inbox_id: int, token: str | None = None) -> dict[str, Any]:
    response = box.api("GET", f"inboxes/{inbox_id}", token=token)
    assert response.status_code == 200, response.text
    return response.json()


def _patch(box: Sandbox, inbox_id: int, body: dict[str, Any]) -> dict[str, Any]:
    response = box.api("PATCH", f"inboxes/{inbox_id}", json=body)
    assert response.status_code == 200, response.text
    return _show(box, inbox_id)


def test_creates_a_email_inbox_when_administrator(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'creates a email inbox when administrator'."""
    response = sandbox.api(
        "POST", "inboxes", json={"name": "test", "channel": {"type": "email", "email": "test@test.com"}}
    )
    assert response.status_code == 200, response.text
    assert "test@test.com" in response.text
    assert response.json()["channel_type"] == "Channel::Email"


def test_returns_empty_imap_details_in_inbox_when_agent(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns empty imap details in inbox when
    agent'."""
    inbox = _email_inbox(sandbox, imap_enabled=True, imap_login="test@test.com")
    added = sandbox.api("POST", "inbox_members", json={"inbox_id": inbox["id"], "user_ids": [user_id("bruno")]})
    assert added.status_code == 200, added.text
    data = _show(sandbox, inbox["id"], tok(sandbox, "bruno"))
    assert data.get("imap_enabled") is None and data.get("imap_login") is None


def test_returns_imap_details_in_inbox_when_admin(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'returns imap details in inbox when admin'."""
    inbox = _email_inbox(sandbox, imap_enabled=True, imap_login="test@test.com")
    data = _show(sandbox, inbox["id"])
    assert data["imap_enabled"] is True and data["imap_login"] == "test@test.com"


def test_updates_email_inbox_when_administrator(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'updates email inbox when administrator'."""
    inbox = _email_inbox(sandbox)
    data = _patch(sandbox, inbox["id"], {"enable_auto_assignment": False, "channel": {"email": "emailtest@email.test"}})
    assert data["enable_auto_assignment"] is False and data["email"] == "emailtest@email.test"


def test_updates_email_inbox_with_imap_when_administrator(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'updates email inbox with imap when
    administrator' (no IMAP server is reached)."""
    inbox = _email_inbox(sandbox)
    channel = {
        "imap_enabled": True,
        "imap_address": "imap.gmail.com",
        "imap_port": 993,
        "imap_login": "imaptest@gmail.com",
    }
    data = _patch(sandbox, inbox["id"], {"channel": channel})
    assert (data["imap_enabled"], data["imap_address"], data["imap_port"]) == (True, "imap.gmail.com", 993)


def test_updates_smtp_configuration_with_starttls_encryption(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'updates smtp configuration with starttls
    encryption' (no SMTP server is reached)."""
    inbox = _email_inbox(sandbox)
    channel = {
        "smtp_enabled": True,
        "smtp_address": "smtp.gmail.com",
        "smtp_port": 587,
        "smtp_login": "smtptest@gmail.com",
        "smtp_enable_starttls_auto": True,
        "smtp_openssl_verify_mode": "peer",
    }
    data = _patch(sandbox, inbox["id"], {"channel": channel})
    assert (data["smtp_enabled"], data["smtp_address"], data["smtp_port"]) == (True, "smtp.gmail.com", 587)
    assert data["smtp_enable_starttls_auto"] is True and data["smtp_openssl_verify_mode"] == "peer"


def test_updates_smtp_configuration_with_ssl_tls_encryption(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'updates smtp configuration with ssl/tls
    encryption'."""
    inbox = _email_inbox(sandbox)
    channel = {
        "smtp_enabled": True,
        "smtp_address": "smtp.gmail.com",
        "smtp_login": "smtptest@gmail.com",
        "smtp_port": 587,
        "smtp_enable_ssl_tls": True,
        "smtp_openssl_verify_mode": "none",
    }
    data = _patch(sandbox, inbox["id"], {"channel": channel})
    assert (data["smtp_enabled"], data["smtp_address"], data["smtp_port"]) == (True, "smtp.gmail.com", 587)
    assert data["smtp_enable_ssl_tls"] is True and data["smtp_openssl_verify_mode"] == "none"


def test_updates_smtp_configuration_with_authentication_mechanism(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/inboxes_controller_spec.rb: it 'updates smtp configuration with
    authentication mechanism' (`smtp_email` is no column and is dropped)."""
    inbox = _email_inbox(sandbox)
    channel = {
        "smtp_enabled": True,
        "smtp_address": "smtp.gmail.com",
        "smtp_port": 587,
        "smtp_email": "smtptest@gmail.com",
        "smtp_authentication": "plain",
    }
    data = _patch(sandbox, inbox["id"], {"channel": channel})
    assert (data["smtp_enabled"], data["smtp_address"], data["smtp_port"]) == (True, "smtp.gmail.com", 587)
    assert data["smtp_authentication"] == "plain" and "smtp_email" not in data
