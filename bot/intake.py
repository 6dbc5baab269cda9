"""Webhook intake: verify, parse, gate, dedupe, persist, then answer 200; the work happens in the runner."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse

from bot.events import KNOWN_EVENTS, PayloadError, WebhookEvent, load_json, parse_event
from bot.logs import log_event
from bot.policy import Decision, decide, next_state
from bot.records.recorder import NO_RECORDS, NoRecords
from bot.runner import Worker
from bot.settings import BotSettings
from bot.store import STORE_ERRORS
from bot.store.base import AcceptedEvent, ConversationState, NewJob, Store
from chatwoot_mcp.ratelimit import SlidingWindow
from chatwoot_mcp.signature import Verdict, verify

logger = logging.getLogger(__name__)

MAX_DELIVERY_ID = 200

Reply = tuple[int, dict[str, object]]
Handled = tuple[int, dict[str, object], bytes | None]  # the reply and the raw body (None when it was not parsed)


class BodyTooLarge(Exception):
    pass


async def read_capped(request: Request, cap: int) -> bytes:
    """The raw body, refusing more than `cap` bytes without reading it all into memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise BodyTooLarge
    return bytes(body)


def client_ip(request: Request) -> str:
    """The sender's address: for the lines about refused deliveries and the limit on failed verifications."""
    return request.client.host if request.client else "unknown"


def dedup_keys(event: WebhookEvent, delivery_id: str | None) -> tuple[str, ...]:
    """What makes a delivery a duplicate: for a new message, the message (the same message under any delivery
    id); for any other event, its delivery id.

    A delivery id stands for one payload (Chatwoot draws it when it enqueues the webhook and keeps it across
    retries), so a new message's delivery id can never match where its message key does not, and storing both
    would only add a second key. That one is a random UUID: each lands on its own page of the key index, which
    made it the dearest write of an acknowledgement. An update is a new payload for the same message each time
    (delivered, then read, then edited): only its delivery id tells a redelivery from the next update."""
    if event.event == "message_created" and event.message_id is not None:
        return (f"message:message_created:{event.message_id}",)
    return (f"delivery:{delivery_id}",) if delivery_id else ()


class Intake:
    """The one webhook handler behind both routes."""

    def __init__(
        self,
        settings: BotSettings,
        store: Store,
        worker: Worker,
        *,
        clock: Callable[[], float] = time.time,
        records: NoRecords = NO_RECORDS,
    ) -> None:
        self.settings = settings
        self.store = store
        self.worker = worker
        self.clock = clock
        self.records = records
        secret = settings.chatwoot.webhook_secret
        self._secret = secret.get_secret_value() if secret is not None else None
        self.verify_failures = SlidingWindow(settings.verify_failures_per_minute, 60.0)

    async def endpoint(self, request: Request) -> JSONResponse:
        """The Starlette endpoint behind both webhook routes."""
        started = time.perf_counter()
        status_code, body, raw = await self.handle(request)
        # The records get the raw bytes and decode them in their own task: a parsed body kept until then would
        # be hundreds of objects per delivery for the garbage collector to go through.
        self.records.delivered(raw, status_code, time.perf_counter() - started)
        return JSONResponse(body, status_code=status_code)

    async def handle(self, request: Request) -> Handled:
        headers = request.headers
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            log_event(logger, "webhook_rejected", logging.WARNING, ip=client_ip(request), reason="content type")
            return 415, {"error": "content type must be application/json"}, None
        try:
            body = await read_capped(request, self.settings.max_body_bytes)
        except BodyTooLarge:
            log_event(logger, "webhook_rejected", logging.WARNING, ip=client_ip(request), reason="body too large")
            return 413, {"error": f"body larger than {self.settings.max_body_bytes} bytes"}, None
        except ClientDisconnect:
            return 400, {"error": "client disconnected"}, None
        if self._secret is not None:
            verdict = verify(
                self._secret,
                body,
                headers.get("x-chatwoot-timestamp"),
                headers.get("x-chatwoot-signature"),
                tolerance=self.settings.signature_tolerance_seconds,
                clock=self.clock,
            )
            if verdict is not Verdict.OK:
                ip = client_ip(request)
                # Only failures are limited: Chatwoot may share an address (proxy, NAT) with whoever sends them,
                # and its valid deliveries must never be turned away.
                if self.verify_failures.exceeded(ip):
                    log_event(logger, "webhook_throttled", logging.WARNING, ip=ip)
                    return 429, {"error": "too many requests that failed verification; retry later"}, None
                self.verify_failures.hit(ip)
                log_event(logger, "webhook_unverified", logging.WARNING, ip=ip, reason=verdict.value)
                return 401, {"error": f"webhook verification failed: {verdict.value}"}, None
        try:
            event = parse_event(load_json(body))
        except (ValueError, RecursionError) as exc:  # bad JSON, bad UTF-8, too deep; PayloadError
            reason = str(exc) if isinstance(exc, PayloadError) else "body is not valid JSON"
            log_event(logger, "webhook_rejected", logging.WARNING, ip=client_ip(request), reason=reason)
            return 400, {"error": reason}, None
        delivery_id = headers.get("x-chatwoot-delivery", "").strip()[:MAX_DELIVERY_ID] or None
        return (*await self._accept(event, body, delivery_id), body)

    async def _accept(self, event: WebhookEvent, body: bytes, delivery_id: str | None) -> Reply:
        fields: dict[str, object] = {
            "webhook_event": event.event,
            "delivery_id": delivery_id,
            "conversation_id": event.conversation_id,
            "message_id": event.message_id,
        }
        if self.settings.log_content and event.content is not None:
            fields["content"] = event.content
        if event.event not in KNOWN_EVENTS:
            log_event(logger, "webhook_received", **fields, action="ignore", reason="unknown event")
            return 200, {"status": "ignored", "reason": "unknown event"}
        # Read-decide-write of a conversation's state must not interleave with another writer of it.
        try:
            # Chatwoot gives up after 5 s and then opens the conversation, so the store bounds its own waits
            # (SQLite busy_timeout 2 s, PostgreSQL statement and pool timeouts 3 s) and a slow store becomes a fast
            # 500, which Chatwoot retries.
            async with self.worker.state_lock(event.conversation_id or 0):
                return await self._decide_and_store(event, body, delivery_id, fields)
        except STORE_ERRORS as exc:
            # Not acked, so not lost: Chatwoot retries an AgentBot delivery that got a 500 (or 429), not a 503.
            log_event(logger, "webhook_not_stored", logging.ERROR, **fields, error=type(exc).__name__)
            return 500, {"error": "the event could not be stored; retry later"}

    async def _decide(self, event: WebhookEvent) -> tuple[Decision, ConversationState | None]:
        """What a delivery means for its conversation: the gate's decision, and the state to store (None: leave
        it as it is). The one place intake turns a delivery into conversation state."""
        cid = event.conversation_id
        state = await self.worker.load_state(cid) if cid is not None else None
        decision = decide(event, state, bot_id=self.settings.agent_bot_id)
        return decision, next_state(event, decision, state, changed_at=event.updated_at)

    async def _decide_and_store(
        self, event: WebhookEvent, body: bytes, delivery_id: str | None, fields: dict[str, object]
    ) -> Reply:
        cid = event.conversation_id
        now = self.clock()
        decision, new_state = await self._decide(event)
        # One line per delivery: what arrived (ids only), the decision and its reason.
        log_event(logger, "webhook_received", **fields, action=decision.action, reason=decision.reason)
        if decision.action == "ignore" and new_state is None:
            return 200, {"status": "ignored", "reason": decision.reason}
        job = None
        if cid is not None and decision.action in ("answer", "takeover"):
            job = NewJob("reply" if decision.action == "answer" else "takeover", cid, event.message_id, now)
        try:
            accepted = await self.store.accept(
                AcceptedEvent(event.event, cid, event.message_id, delivery_id, now, body),
                dedup_keys=dedup_keys(event, delivery_id),
                job=job,
                state=new_state,
                drop_pending_replies=decision.action == "takeover",
            )
        except STORE_ERRORS:
            if cid is not None and (job is not None or new_state is not None):
                # An error can follow the commit (the connection lost before its answer): the job and the state
                # may be stored all the same, and Chatwoot's redelivery will then be a duplicate. Read the state
                # again next time, and let the worker look for the job (it finds nothing if none was stored).
                self.worker.forget_state(cid)
                if job is not None:
                    self.worker.notify(cid)
            raise
        if accepted and new_state is not None and cid is not None:
            self.worker.remember_state(cid, new_state)
        if not accepted:
            log_event(
                logger, "webhook_duplicate", delivery_id=delivery_id, conversation_id=cid, message_id=event.message_id
            )
            return 200, {"status": "duplicate"}
        if job is not None and cid is not None:
            # A reply cannot be due before its debounce; a takeover is due at once.
            debounce = self.settings.debounce_seconds if job.kind == "reply" else 0.0
            self.worker.notify(cid, not_before=now + debounce)
        status = "ignored" if decision.action == "ignore" else "accepted"
        return 200, {"status": status, "action": decision.action, "reason": decision.reason}
