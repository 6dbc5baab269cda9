"""Live updates: Chatwoot's signed account webhooks in, Server-Sent Events out to every page whose viewer may
see the change (pages then re-read through the tools; an event carries no conversation data)."""

from __future__ import annotations

import html
import json
import logging
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from pydantic import ValidationError
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from chatwoot_mcp.client.models import Assignee
from chatwoot_mcp.console import texts
from chatwoot_mcp.console.reads import SharedReads
from chatwoot_mcp.console.roles import may_see_event
from chatwoot_mcp.console.sessions import Person
from chatwoot_mcp.ratelimit import SlidingWindow
from chatwoot_mcp.server.views import derive_owner, person_view
from chatwoot_mcp.signature import Verdict, verify

logger = logging.getLogger(__name__)

MAX_BODY = 1_000_000
QUEUE_SIZE = 200
PEOPLE_OWNERS = ("queue", "human")


def _previous(changes: Any, key: str) -> tuple[bool, Any]:
    for change in changes if isinstance(changes, list) else []:
        if isinstance(change, dict) and isinstance(change.get(key), dict):
            return True, change[key].get("previous_value")
    return False, None


def _assignee(raw: object) -> Assignee | None:
    """A webhook's `meta.assignee` read through the client's model; None when absent or not one."""
    try:
        return Assignee.model_validate(raw) if isinstance(raw, dict) else None
    except ValidationError:
        return None


def event_facts(payload: dict[str, Any]) -> dict[str, Any] | None:
    """What a webhook says about a conversation's hands, now and before; None when it concerns none."""
    event = str(payload.get("event") or "")
    conversation = payload.get("conversation") if event.startswith("message_") else payload
    if not event.startswith(("message_", "conversation_")) or not isinstance(conversation, dict):
        return None
    try:
        conversation_id = int(conversation["id"])
    except (KeyError, TypeError, ValueError):
        return None
    meta = conversation.get("meta") if isinstance(conversation.get("meta"), dict) else {}
    assignee = person_view(_assignee(meta.get("assignee")), meta.get("assignee_type"))
    status = str(conversation.get("status") or "open")
    if status not in ("open", "pending", "resolved", "snoozed"):
        status = "open"
    owner = derive_owner(status, assignee)
    changes = payload.get("changed_attributes")
    had_status, old_status = _previous(changes, "status")
    had_assignee, old_assignee_id = _previous(changes, "assignee_id")
    assignee_id = assignee.id if assignee is not None and assignee.type == "user" else None
    previous_assignee = old_assignee_id if had_assignee else assignee_id
    previous_owner = owner
    if had_status or had_assignee:
        was = person_view(_assignee({"id": previous_assignee})) if previous_assignee else None
        previous_owner = derive_owner(str(old_status if had_status else status), was)
    contact = meta.get("sender") if isinstance(meta.get("sender"), dict) else {}
    return {
        "event": event,
        "conversation_id": conversation_id,
        "inbox_id": conversation.get("inbox_id"),
        "owner": owner,
        "assignee_id": assignee_id,
        "previous_owner": previous_owner,
        "previous_assignee_id": previous_assignee,
        "handed_to_people": previous_owner == "bot" and owner in PEOPLE_OWNERS and assignee_id is None,
        "contact": str(contact.get("name") or ""),
    }


@dataclass(eq=False)
class Subscriber:
    person: Person
    send: MemoryObjectSendStream[dict[str, Any]]
    overflowed: bool = False


@dataclass
class Hub:
    """Fans each event out to the open pages whose viewer may see it (checked per viewer, not in the page)."""

    agents_see_queue: bool
    subscribers: set[Subscriber] = field(default_factory=set)
    reads: SharedReads = field(default_factory=SharedReads)

    def publish(self, facts: dict[str, Any]) -> int:
        self.reads.changed(facts["conversation_id"])
        delivered = 0
        for subscriber in list(self.subscribers):
            if not may_see_event(subscriber.person, facts, self.agents_see_queue):
                continue
            try:
                subscriber.send.send_nowait(facts)
                delivered += 1
            except anyio.WouldBlock:
                subscriber.overflowed = True  # the page gets a full re-read instead of the lost events
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                self.subscribers.discard(subscriber)
        return delivered

    def subscribe(self, person: Person) -> tuple[Subscriber, MemoryObjectReceiveStream[dict[str, Any]]]:
        send, receive = anyio.create_memory_object_stream[dict[str, Any]](QUEUE_SIZE)
        subscriber = Subscriber(person, send)
        self.subscribers.add(subscriber)
        return subscriber, receive


def handoff_notice(facts: dict[str, Any]) -> str:
    text = texts.HANDED_TO_PEOPLE.format(id=facts["conversation_id"], contact=facts["contact"] or "—")
    link = f"/c/{int(facts['conversation_id'])}"
    return f'<a class="notice" role="alert" href="{link}">{html.escape(text)}</a>'


# A take-over also passes through "open, nobody assigned" (the status changes before the assignee): a handoff
# notice waits this long for an assignee to follow before it is shown.
NOTICE_WAIT = 1.5


async def stream(hub: Hub, person: Person, reconnect: bool) -> AsyncIterator[ServerSentEvent]:
    """One page's events: `resync` first after a reconnect (it may have missed some); per event `changed` and
    `conv-<id>` (that conversation's row and page re-read it), plus `moved` when it may have changed hands or
    lists (the list and its counts re-read), and `handoff` with a notice when the bot handed one to people."""
    subscriber, receive = hub.subscribe(person)
    counter = 1
    waiting: dict[int, tuple[float, dict[str, Any]]] = {}  # conversation id -> (show at, facts)
    try:
        yield ServerSentEvent(data="", event="resync" if reconnect else "ready", id=str(counter))
        async with receive:
            while True:
                facts = None
                wait = min((at for at, _ in waiting.values()), default=None)
                with anyio.move_on_after(max(0.0, wait - anyio.current_time()) if wait is not None else math.inf):
                    facts = await receive.receive()
                for conversation_id, (at, held) in list(waiting.items()):
                    if at <= anyio.current_time():
                        del waiting[conversation_id]
                        yield ServerSentEvent(data=handoff_notice(held), event="handoff")
                if facts is None:
                    continue
                counter += 1
                if subscriber.overflowed:
                    subscriber.overflowed = False
                    yield ServerSentEvent(data="", event="resync", id=str(counter))
                    continue
                conversation_id = str(facts["conversation_id"])
                yield ServerSentEvent(data=conversation_id, event="changed", id=str(counter))
                yield ServerSentEvent(data=conversation_id, event=f"conv-{conversation_id}")
                if not facts["event"].startswith("message_"):
                    yield ServerSentEvent(data=conversation_id, event="moved")
                if facts["assignee_id"] is not None or facts["owner"] not in PEOPLE_OWNERS:
                    waiting.pop(facts["conversation_id"], None)
                elif facts["handed_to_people"]:
                    waiting[facts["conversation_id"]] = (anyio.current_time() + NOTICE_WAIT, facts)
    except anyio.EndOfStream:
        return
    finally:
        hub.subscribers.discard(subscriber)
        await subscriber.send.aclose()


def event_stream(hub: Hub, person: Person, request: Request) -> EventSourceResponse:
    # The browser sends Last-Event-ID only when it reconnects a stream it had: then it re-reads at once.
    reconnect = bool(request.headers.get("last-event-id"))
    return EventSourceResponse(stream(hub, person, reconnect), ping=15, headers={"Cache-Control": "no-store"})


class WebhookIntake:
    """POST /webhooks/chatwoot: verify like the bot does (HMAC over "{timestamp}.{body}"), then publish."""

    def __init__(self, hub: Hub, *, tolerance: float = 300, failures_per_minute: int = 100) -> None:
        self.hub = hub
        self.secret: str | None = None
        self.tolerance = tolerance
        self.failures = SlidingWindow(failures_per_minute)

    async def handle(self, request: Request) -> Response:
        client = request.client.host if request.client else "?"
        if self.failures.exceeded(client):
            return JSONResponse({"error": "too many failed verifications"}, status_code=429)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return JSONResponse({"error": "body too large"}, status_code=413)
        if self.secret is not None:
            verdict = verify(
                self.secret,
                body,
                request.headers.get("x-chatwoot-timestamp"),
                request.headers.get("x-chatwoot-signature"),
                tolerance=self.tolerance,
            )
            if verdict is not Verdict.OK:
                self.failures.hit(client)
                return JSONResponse({"error": f"webhook verification failed: {verdict.value}"}, status_code=401)
        try:
            payload = json.loads(body)
        except ValueError:
            return JSONResponse({"error": "body is not JSON"}, status_code=400)
        if not isinstance(payload, dict):
            return JSONResponse({"error": "body is not a JSON object"}, status_code=400)
        facts = event_facts(payload)
        if facts is None:
            return JSONResponse({"status": "ignored"})
        return JSONResponse({"status": "accepted", "pages": self.hub.publish(facts)})
