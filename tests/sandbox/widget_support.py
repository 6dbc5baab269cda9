"""The web widget as a browser drives it: a widget inbox, its session (`/api/v1/widget/config`), its events, and the
ActionCable connection (`/cable`) that keeps its contact online, with a real WebSocket client."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx2
from websockets.sync.client import ClientConnection, connect

from tests.conftest import Sandbox

PROTOCOL = "actioncable-v1-json"
# What the `browser` gem makes of a user agent it does not know (the tests' httpx2 client), as Chatwoot records it
UNKNOWN_BROWSER = {
    "browser_name": "Unknown Browser",
    "browser_version": "0.0",
    "device_name": "Unknown",
    "platform_name": "Unknown",
    "platform_version": "0",
}


def widget_inbox(box: Sandbox, name: str = "Loja", **settings: Any) -> dict[str, Any]:
    """`POST /inboxes` with a web widget channel (and the channel `settings` given), as the administrator."""
    channel = {"type": "web_widget", "website_url": "https://loja.example", **settings}
    response = box.api("POST", "inboxes", json={"name": name, "channel": channel})
    assert response.status_code == 200, response.text
    return response.json()


def widget_post(
    box: Sandbox, path: str, token: str | None = None, headers: dict[str, str] | None = None, **kwargs: Any
) -> httpx2.Response:
    """A widget API request, with the session's `X-Auth-Token` when given."""
    sent = {**(headers or {}), **({"X-Auth-Token": token} if token is not None else {})}
    return httpx2.post(f"{box.base_url}/api/v1/widget/{path}", headers=sent, timeout=10, **kwargs)


def widget_request(box: Sandbox, method: str, path: str, token: str | None = None, **kwargs: Any) -> httpx2.Response:
    """A widget API request of any method, with the session's `X-Auth-Token` when given."""
    headers = {"X-Auth-Token": token} if token is not None else {}
    return httpx2.request(method, f"{box.base_url}/api/v1/widget/{path}", headers=headers, timeout=10, **kwargs)


def widget_session(box: Sandbox, website_token: str, token: str | None = None) -> dict[str, Any]:
    """`POST /api/v1/widget/config`: the widget's config, its contact and its `auth_token`."""
    response = widget_post(box, "config", token, json={"website_token": website_token})
    assert response.status_code == 200, response.text
    return response.json()


def room(pubsub_token: str, **extra: Any) -> str:
    """A RoomChannel identifier as the widget's and dashboard's ActionCable consumers write it."""
    return json.dumps({"channel": "RoomChannel", "pubsub_token": pubsub_token, **extra})


@contextmanager
def cable(box: Sandbox) -> Iterator[ClientConnection]:
    """A WebSocket to the sandbox's `/cable`, past the server's welcome."""
    url = box.base_url.replace("http://", "ws://") + "/cable"
    with connect(url, subprotocols=[PROTOCOL], open_timeout=10) as socket:  # type: ignore[list-item]
        assert socket.subprotocol == PROTOCOL
        assert next_message(socket) == {"type": "welcome"}
        yield socket


def next_message(socket: ClientConnection, wanted: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any]:
    """The next message that is not a ping (and that `wanted` accepts, skipping others)."""
    while True:
        message = json.loads(socket.recv(timeout=10))
        if message.get("type") == "ping":
            continue
        if wanted is None or wanted(message):
            return message


def subscribe(socket: ClientConnection, identifier: str) -> dict[str, Any]:
    """Subscribe and return the confirmation; the next message is the room's presence.update."""
    socket.send(json.dumps({"command": "subscribe", "identifier": identifier}))
    return next_message(socket)


def perform(socket: ClientConnection, identifier: str, action: str) -> None:
    socket.send(json.dumps({"command": "message", "identifier": identifier, "data": json.dumps({"action": action})}))


def online_visitor(box: Sandbox, socket: ClientConnection, website_token: str) -> dict[str, Any]:
    """A widget visitor whose session subscribes to RoomChannel with its contact inbox's pubsub token, as the widget
    does on load: its config, with the contact now online."""
    session = widget_session(box, website_token)
    identifier = room(session["contact"]["pubsub_token"])
    assert subscribe(socket, identifier) == {"identifier": identifier, "type": "confirm_subscription"}
    next_message(socket, lambda m: m.get("message", {}).get("event") == "presence.update")
    return session


def widget_campaign(box: Sandbox, inbox_id: int, message: str = "Posso ajudar?", **fields: Any) -> int:
    """`create(:campaign, inbox:)` through CampaignsController, as the administrator: its display id."""
    body = {"title": "Boas-vindas", "message": message, "inbox_id": inbox_id, **fields}
    response = box.api("POST", "campaigns", json={"campaign": body})
    assert response.status_code == 200, response.text
    return int(response.json()["id"])


def trigger_campaign(box: Sandbox, website_token: str, token: str, event_info: dict[str, Any]) -> None:
    """The widget's `campaign.triggered` event (`POST /api/v1/widget/events`), as the widget sends it when an
    ongoing campaign's trigger fires for the visitor."""
    body = {"website_token": website_token, "name": "campaign.triggered", "event_info": event_info}
    response = widget_post(box, "events", token, json=body)
    assert response.status_code == 204, response.text
