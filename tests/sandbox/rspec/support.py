"""Helpers for the ports of Chatwoot's RSpec specs: the seeded people, raw requests, and state reads."""

from __future__ import annotations

from typing import Any

import httpx2

from tests.conftest import Sandbox

# The seed (chatwoot_mcp/sandbox/seed.py): Bruno is a member of both inboxes and of team Humanos,
# Carla only of WhatsApp; the administrator Ana is a member of none.
WHATSAPP, SITE = 1, 2
SITE_PENDING = 2  # display id: Site, pending, nobody assigned, no team


def token(box: Sandbox, name: str) -> str:
    """The access token of `admin`, `bruno` or `carla`."""
    wanted = {"admin": 1, "bruno": 2, "carla": 3}[name]
    return next(a["access_token"] for a in box.info["agents"] if a["id"] == wanted)


def user_id(name: str) -> int:
    return {"admin": 1, "bruno": 2, "carla": 3}[name]


def anonymous(box: Sandbox, method: str, path: str, **kwargs: Any) -> httpx2.Response:
    """A request with no access token at all."""
    url = f"{box.base_url}/api/v1/accounts/{box.account_id}/{path.lstrip('/')}"
    return httpx2.request(method, url, timeout=10, **kwargs)


def public(box: Sandbox, method: str, path: str, **kwargs: Any) -> httpx2.Response:
    return httpx2.request(method, f"{box.base_url}/public/api/v1/inboxes/{path.lstrip('/')}", timeout=10, **kwargs)


def state_conv(box: Sandbox, display_id: int) -> dict[str, Any]:
    return next(c for c in box.control("GET", "state")["conversations"] if c["id"] == display_id)


def new_conversation(box: Sandbox, inbox_id: int = SITE, contact_id: int = 11, **extra: Any) -> dict[str, Any]:
    """POST /conversations as the administrator: a fresh conversation with no messages."""
    response = box.api("POST", "conversations", json={"inbox_id": inbox_id, "contact_id": contact_id, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def detach_bot(box: Sandbox, inbox_id: int) -> None:
    """Take the AgentBot off an inbox, so new conversations keep the status they are given."""
    response = box.api("POST", f"inboxes/{inbox_id}/set_agent_bot", json={"agent_bot": None})
    assert response.status_code == 200, response.text


def subscribe(box: Sandbox, url: str, events: list[str]) -> None:
    response = box.api("POST", "webhooks", json={"webhook": {"url": url, "subscriptions": events}})
    assert response.status_code == 200, response.text


def public_contact(box: Sandbox, inbox: str = "WhatsApp", **fields: Any) -> tuple[str, dict[str, Any]]:
    """A new contact on an inbox's public API: its inbox identifier and the created contact (with `source_id`)."""
    identifier = box.inbox(inbox)["inbox_identifier"]
    response = public(box, "POST", f"{identifier}/contacts", json=fields)
    assert response.status_code == 200, response.text
    return identifier, response.json()


# spec/assets/avatar.png stands in as the signature of a PNG: the sandbox keeps the bytes and the declared type
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def last_message(box: Sandbox, display_id: int) -> dict[str, Any]:
    """The newest message of a conversation as `GET …/messages` renders it (attachments included)."""
    response = box.api("GET", f"conversations/{display_id}/messages")
    assert response.status_code == 200, response.text
    return response.json()["payload"][-1]


def fetch(url: str) -> httpx2.Response:
    """An attachment's or avatar's URL, fetched as a browser would."""
    return httpx2.get(url, timeout=10)


def account_request(box: Sandbox, method: str, token: str | None = None, **kwargs: Any) -> httpx2.Response:
    """`/api/v1/accounts/{id}` itself (AccountsController#show, #update), as the administrator unless told."""
    headers = {"api_access_token": token or box.admin_token}
    url = f"{box.base_url}/api/v1/accounts/{box.account_id}"
    return httpx2.request(method, url, headers=headers, timeout=10, **kwargs)


def other_account(box: Sandbox, method: str, path: str, **kwargs: Any) -> httpx2.Response:
    """A request to the seed's second account as its administrator: the specs' `create(:…, account: other_account)`."""
    other = box.info["other_account"]
    url = f"{box.base_url}/api/v1/accounts/{other['id']}/{path.lstrip('/')}"
    return httpx2.request(method, url, headers={"api_access_token": other["admin_token"]}, timeout=10, **kwargs)
