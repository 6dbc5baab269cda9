"""`/cable`: ActionCable's JSON protocol (`actioncable-v1-json`) with Chatwoot's RoomChannel, which is how a widget
or a dashboard keeps its contact or user online (OnlineStatusTracker) and hears `presence.update`."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
from starlette.websockets import WebSocket, WebSocketDisconnect

from .domain import Engine
from .presence import Kind, available_contacts, available_users
from .state import Contact, User

logger = logging.getLogger(__name__)
PROTOCOL = "actioncable-v1-json"
PING_EVERY = 3.0  # ActionCable::Server::Connections::BEAT_INTERVAL
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class Subscription:
    identifier: str
    stream: str  # the pubsub token RoomChannel streams from
    account_id: int
    kind: Kind
    obj_id: int


@dataclass
class Hub:
    """Streams -> the connections subscribed to them (`stream_from`), for `ActionCable.server.broadcast`."""

    streams: dict[str, dict[str, list[Send]]] = field(default_factory=dict)  # stream -> identifier -> senders

    def add(self, stream: str, identifier: str, send: Send) -> None:
        self.streams.setdefault(stream, {}).setdefault(identifier, []).append(send)

    def remove(self, stream: str, identifier: str, send: Send) -> None:
        senders = self.streams.get(stream, {}).get(identifier, [])
        if send in senders:
            senders.remove(send)

    async def broadcast(self, stream: str, message: dict[str, Any]) -> None:
        for identifier, senders in list(self.streams.get(stream, {}).items()):
            for send in list(senders):
                try:
                    await send({"identifier": identifier, "message": message})
                except (WebSocketDisconnect, RuntimeError, OSError):
                    self.remove(stream, identifier, send)


def _room_owner(engine: Engine, params: dict[str, Any]) -> tuple[int, Kind, int] | None:
    """RoomChannel#current_user and #current_account: the contact of the contact inbox holding the pubsub token, or
    the user with that token and `user_id` in the account `account_id`; None where Rails raises RecordNotFound."""
    store = engine.store
    token = params.get("pubsub_token")
    if not isinstance(token, str) or not token:
        return None
    if params.get("user_id") in (None, ""):
        ci = store.contact_inbox_by_pubsub(token)
        contact: Contact | None = store.contacts.get(ci.contact_id) if ci is not None else None
        return (contact.account_id, "Contact", contact.id) if contact is not None else None
    user: User | None = next(
        (u for u in store.users.values() if u.pubsub_token == token and str(u.id) == str(params["user_id"])), None
    )
    account_id = params.get("account_id")
    if user is None or not str(account_id).isdigit() or int(str(account_id)) not in user.account_ids:
        return None
    return int(str(account_id)), "User", user.id


class Cable:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.hub = Hub()

    def _mark_present(self, sub: Subscription) -> None:
        """RoomChannel#update_subscription: `OnlineStatusTracker.update_presence` for the subscriber."""
        store = self.engine.store
        store.presence.update(sub.account_id, sub.kind, sub.obj_id, store.now())

    async def _broadcast_presence(self, sub: Subscription) -> None:
        """RoomChannel#broadcast_presence: the account's available users, and contacts for a user's room."""
        store = self.engine.store
        data: dict[str, Any] = {"account_id": sub.account_id, "users": available_users(store, sub.account_id)}
        if sub.kind == "User":
            data["contacts"] = available_contacts(store, sub.account_id)
        await self.hub.broadcast(sub.stream, {"event": "presence.update", "data": data})

    async def endpoint(self, websocket: WebSocket) -> None:
        offered = websocket.scope.get("subprotocols") or []
        await websocket.accept(subprotocol=PROTOCOL if PROTOCOL in offered else None)
        subscriptions: dict[str, Subscription] = {}

        async def send(message: dict[str, Any]) -> None:
            await websocket.send_text(json.dumps(message, separators=(",", ":")))

        await send({"type": "welcome"})
        async with anyio.create_task_group() as group:
            group.start_soon(self._beat, send)
            try:
                while True:
                    await self._command(await websocket.receive_text(), subscriptions, send)
            except WebSocketDisconnect:
                pass
            finally:
                for sub in subscriptions.values():
                    self.hub.remove(sub.stream, sub.identifier, send)
                group.cancel_scope.cancel()

    async def _beat(self, send: Send) -> None:
        while True:
            await anyio.sleep(PING_EVERY)
            try:
                await send({"type": "ping", "message": int(time.time())})
            except (WebSocketDisconnect, RuntimeError, OSError):
                return

    async def _command(self, raw: str, subscriptions: dict[str, Subscription], send: Send) -> None:
        """One client command; as in ActionCable, a command that fails is logged and answered with nothing."""
        try:
            command = json.loads(raw)
            identifier = command["identifier"]
            params = json.loads(identifier)
        except (ValueError, KeyError, TypeError):
            logger.warning("cable: could not execute command %r", raw[:200])
            return
        kind = command.get("command")
        if kind == "subscribe" and identifier not in subscriptions:
            owner = _room_owner(self.engine, params) if params.get("channel") == "RoomChannel" else None
            if owner is None:
                logger.warning("cable: subscription refused for %s", params.get("channel"))
                return
            sub = Subscription(identifier, str(params["pubsub_token"]), *owner)
            subscriptions[identifier] = sub
            self.hub.add(sub.stream, identifier, send)
            self._mark_present(sub)
            await send({"identifier": identifier, "type": "confirm_subscription"})
            await self._broadcast_presence(sub)
        elif kind == "unsubscribe" and identifier in subscriptions:
            sub = subscriptions.pop(identifier)
            self.hub.remove(sub.stream, identifier, send)
        elif kind == "message" and identifier in subscriptions:
            try:
                action = json.loads(command.get("data") or "{}").get("action")
            except (ValueError, AttributeError):
                action = None
            if action == "update_presence":
                self._mark_present(subscriptions[identifier])
                await self._broadcast_presence(subscriptions[identifier])
