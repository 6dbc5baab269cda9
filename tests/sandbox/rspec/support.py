"""Helpers for the ports of Chatwoot's RSpec specs: the seeded people, raw requests, and state reads."""

from __future__ import annotations

import itertools
from typing import Any

import httpx2

from tests.conftest import Sandbox
from tests.fakes.meta_graph import EXPIRED, phone_number
from tests.sandbox.conftest import Providers

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


_cloud_numbers = itertools.count(1)


def cloud_inbox(p: Providers, source: str = "embedded_signup") -> dict[str, Any]:
    """`create(:channel_whatsapp, provider: 'whatsapp_cloud', …)`: the factory's provider config (an embedded-signup
    channel unless told otherwise), and Meta knowing the number under the channel's token."""
    n = next(_cloud_numbers)
    config = {
        "api_key": f"token-{n}",
        "phone_number_id": f"10{n:04d}",
        "business_account_id": f"20{n:04d}",
        "source": source,
    }
    phone = f"+5511977{n:05d}"
    channel = {"type": "whatsapp", "phone_number": phone, "provider": "whatsapp_cloud", "provider_config": config}
    response = p.box.api("POST", "inboxes", json={"name": "WhatsApp Cloud", "channel": channel})
    assert response.status_code == 200, response.text
    p.meta.add(config["api_key"], phone_number(config["phone_number_id"], phone, verified_name=f"Acme {n}"))
    return response.json()


def refuse_token_twice(p: Providers, inbox: dict[str, Any]) -> list[bool]:
    """Meta refuses the channel's token on two health checks (Reauthorizable's threshold for a WhatsApp channel);
    the inbox's `reauthorization_required` after each."""
    p.meta.revoke(inbox["provider_config"]["api_key"])
    seen = []
    for _ in range(2):
        response = p.box.api("GET", f"inboxes/{inbox['id']}/health")
        assert response.status_code == 422
        assert EXPIRED in response.json()["error"]
        shown = p.box.api("GET", f"inboxes/{inbox['id']}")
        assert shown.status_code == 200
        seen.append(shown.json()["reauthorization_required"])
    return seen
