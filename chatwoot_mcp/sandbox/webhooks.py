"""Webhook delivery as Chatwoot does it: signed POSTs, bot retries on 429/500, ordered per conversation."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx2
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

logger = logging.getLogger(__name__)

RETRYABLE_BOT_STATUSES = frozenset({429, 500})
BOT_ATTEMPTS = 3
TIMEOUT_SECONDS = 5.0
LOG_LIMIT = 20_000


def rails_json(payload: Any) -> bytes:
    """`payload.to_json` as Rails writes it: compact, UTF-8, with <, > and & escaped."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return text.encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


Built = dict[str, Any] | None
Payload = dict[str, Any] | Callable[[], Built]  # a builder returns None when its record is gone


@dataclass
class Job:
    kind: str  # "agent_bot" | "account" | "api_inbox"
    url: str
    secret: str | None
    event: str
    payload: dict[str, Any]
    conversation_id: int | None  # database id, for ordering and the bot-failure rule
    display_id: int | None
    message_id: int | None
    generation: int
    record: dict[str, Any] = field(default_factory=dict)
    built: anyio.Event | None = None  # set once a deferred payload has been built


FailureHook = Callable[[Job], Awaitable[None] | None]


async def refused_destination(url: str) -> str | None:
    """Why Chatwoot 4.14+ (SafeFetch and the ssrf_filter gem) refuses to post to `url` unless
    SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true, in the words of its log; None when one of its addresses is public."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port or 80
    except ValueError:  # a port out of range, a broken IPv6 literal
        return f"Invalid webhook URL {url}"
    try:
        resolved = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return f"Invalid webhook URL {url}: Hostname '{host}' could not be resolved"
    addresses = {ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in resolved}
    if any(address.is_global for address in addresses):
        return None
    return f"Invalid webhook URL {url}: Hostname '{host}' has no public ip addresses"


def delivery_error(record: dict[str, Any]) -> str:
    """SafeFetch::HttpError's message, `"#{code} #{message}"`, or the connection error's."""
    status = record.get("status")
    if status is None:
        return str(record.get("error") or "network failure")
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


class Dispatcher:
    """Owns the delivery workers: one queue per (url, conversation), run in the app's task group."""

    def __init__(self, *, retry_wait: float, on_failure: FailureHook, allow_private_network: bool = True) -> None:
        self.retry_wait = retry_wait
        self.on_failure = on_failure
        # Chatwoot 4.14+ refuses private and loopback destinations unless SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true;
        # the sandbox allows them by default (its bot usually runs beside it) and refuses them on request.
        self.allow_private_network = allow_private_network
        self.generation = 0
        self.log: list[dict[str, Any]] = []
        self._queues: dict[tuple[str, int | None], MemoryObjectSendStream[Job]] = {}
        self._task_group: TaskGroup | None = None
        self._client: httpx2.AsyncClient | None = None
        self._busy = 0
        self._reset_signal: anyio.Event | None = None

    def start(self, task_group: TaskGroup, client: httpx2.AsyncClient) -> None:
        self._task_group = task_group
        self._client = client
        self._reset_signal = anyio.Event()

    def reset(self) -> None:
        """Forget queued work and the log; in-flight attempts finish but are no longer recorded."""
        self.generation += 1
        self.log = []
        if self._reset_signal is not None:
            # wake deliveries waiting to retry so stale work never delays the next test's events
            self._reset_signal.set()
            self._reset_signal = anyio.Event()

    @property
    def idle(self) -> bool:
        return self._busy == 0 and not self._queues

    def submit(
        self,
        *,
        kind: str,
        url: str,
        secret: str | None,
        event: str,
        payload: Payload,
        conversation_id: int | None,
        display_id: int | None,
        message_id: int | None,
    ) -> None:
        """Queue a delivery. A callable payload is built in a task of its own once the caller's synchronous work is
        done, as EventDispatcherJob builds WebhookListener's payloads after the request; a dict is sent as it is."""
        deferred = callable(payload)
        record: dict[str, Any] = {
            "url": url,
            "kind": kind,
            "event": event,
            "delivery_id": str(uuid.uuid4()),
            "attempts": 0,
            "status": None,
            "error": None,
            "done": False,
            "conversation_id": display_id,
            "message_id": message_id,
            "signed": bool(secret),
            "payload": None if deferred else payload,
        }
        self.log.append(record)
        if len(self.log) > LOG_LIMIT:
            del self.log[: LOG_LIMIT // 10]
        if self._task_group is None:
            record.update(done=True, error="sandbox is not running")
            return
        body: dict[str, Any] = {} if callable(payload) else payload
        job = Job(kind, url, secret, event, body, conversation_id, display_id, message_id, self.generation, record)
        if callable(payload):
            job.built = anyio.Event()
            self._task_group.start_soon(self._build, job, payload)
        key = (url, conversation_id)
        sender = self._queues.get(key)
        if sender is None:
            sender, receiver = anyio.create_memory_object_stream[Job](max_buffer_size=10_000)
            self._queues[key] = sender
            self._task_group.start_soon(self._worker, key, receiver)
        sender.send_nowait(job)

    async def _build(self, job: Job, builder: Callable[[], Built]) -> None:
        """The deferred payload from the records as they are now; none when they were deleted meanwhile (the job's
        record cannot be deserialized, and Chatwoot drops it)."""
        assert job.built is not None
        try:
            if job.generation == self.generation:
                built = builder()
                if built is None:
                    job.record.update(done=True, error="record deleted before the event was processed")
                else:
                    job.payload = built
                    job.record["payload"] = built
        finally:
            job.built.set()

    async def _worker(self, key: tuple[str, int | None], receiver: MemoryObjectReceiveStream[Job]) -> None:
        async with receiver:
            while True:
                job = await receiver.receive()
                self._busy += 1
                try:
                    if job.built is not None:
                        await job.built.wait()
                    if job.generation == self.generation and not job.record["done"]:
                        await self._deliver(job)
                finally:
                    self._busy -= 1
                if receiver.statistics().current_buffer_used == 0:
                    # nothing is queued and nothing awaits between this check and the removal
                    self._queues.pop(key).close()
                    return

    async def _wait_unless_reset(self, job: Job) -> bool:
        """Sleep the retry wait; False when a reset made the job stale meanwhile."""
        signal = self._reset_signal
        with anyio.move_on_after(self.retry_wait):
            if signal is not None:
                await signal.wait()
            else:
                await anyio.sleep(self.retry_wait)
        return job.generation == self.generation

    async def _deliver(self, job: Job) -> None:
        assert self._client is not None
        body = rails_json(job.payload)
        attempts = BOT_ATTEMPTS if job.kind == "agent_bot" else 1
        status: int | None = None
        refusal = None if self.allow_private_network else await refused_destination(job.url)
        if refusal is not None:  # SafeFetch raises before any request: no retry, a failure like any other
            job.record.update(attempts=1, error=refusal)
            logger.warning("Exception: %s", refusal)
            attempts = 0
        for attempt in range(1, attempts + 1):
            job.record["attempts"] = attempt
            headers = {
                "Content-Type": "application/json",
                "Accept": "application/json",
                "X-Chatwoot-Delivery": job.record["delivery_id"],
            }
            if job.secret:
                ts = str(int(time.time()))
                headers["X-Chatwoot-Timestamp"] = ts
                headers["X-Chatwoot-Signature"] = signature(job.secret, ts, body)
            try:
                # Chatwoot's 5 s is the request's own: a delivery queued behind others (a Sidekiq job waiting for a
                # worker) waits for a connection without a limit.
                timeout = httpx2.Timeout(TIMEOUT_SECONDS, pool=None)
                response = await self._client.post(job.url, content=body, headers=headers, timeout=timeout)
            except (httpx2.HTTPError, httpx2.InvalidURL) as exc:  # an unreachable or malformed URL: a failure
                status = None
                job.record["error"] = f"{type(exc).__name__}: {exc}"
                logger.warning("webhook %s to %s failed: %s", job.event, job.url, type(exc).__name__)
                break
            status = response.status_code
            job.record["status"] = status
            if 200 <= status < 300:
                job.record["error"] = None
                break
            job.record["error"] = f"HTTP {status}"
            if job.kind != "agent_bot" or status not in RETRYABLE_BOT_STATUSES or attempt == attempts:
                break
            if not await self._wait_unless_reset(job):
                return
        job.record["done"] = True
        failed = status is None or not 200 <= status < 300
        message_event = job.event in {"message_created", "message_updated"}
        # the bot's failure may open its conversation, an API inbox's marks the message failed (Webhooks::Trigger)
        if failed and job.kind != "account" and message_event and job.generation == self.generation:
            result = self.on_failure(job)
            if result is not None:
                await result
