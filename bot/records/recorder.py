"""The bot's recorder: what happens on the reply path (a webhook acknowledged, a handoff decided, a reply sent)
is put in memory at once and written to the mirror by a task of its own, so a slow or absent mirror database
never delays a customer's reply. When the database is down the writes wait and are tried again, oldest first.
Acknowledgement and send samples are counted per minute and millisecond, not kept one by one."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import anyio
import asyncpg

from bot import texts
from bot.events import load_json
from bot.logs import log_event
from bot.metrics import BotMetrics
from bot.records.sync import Extracted, extract
from chatwoot_mcp.records.mirror import CustomerRow, MessageRow, Mirror, Sample
from chatwoot_mcp.records.model import Observation

logger = logging.getLogger(__name__)

MAX_WAITING = 200_000  # beyond this new writes are given up (counted in the metrics); the backfill heals the state
BATCH = 500
CUSTOMER_CACHE = 10_000
GATHER_SECONDS = 0.2
RETRY_FIRST, RETRY_MAX = 1.0, 30.0
FAILED_DELIVERY_MEMORY = 120.0  # Chatwoot opens a conversation within seconds of the bot's last failed delivery
DAY = 86_400.0
PRUNE_EVERY = 3600.0
# The database cannot be reached: wait and try the same writes again. Anything else refuses the data itself.
UNREACHABLE = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
    sqlite3.OperationalError,
)
# The database refused the data itself (a constraint, a value it cannot hold): that item is given up.
REFUSED = (sqlite3.Error, asyncpg.PostgresError, ValueError, TypeError)
FIXED_TRIGGERS = {"failsafe": "failsafe", "responder failed": "failsafe", "reply rate limit": "loop_guard"}


def responder_trigger(reason: str | None) -> str:
    """Which of the responder's ways to hand off this was, from the reason it gave."""
    if reason == texts.MARKER_HANDOFF_REASON:
        return "marker"
    if reason == texts.CUSTOMER_ASKED_HUMAN_REASON:
        return "customer_asked"
    return "handoff_tool"


def decode(body: bytes) -> Any:
    """A webhook body as JSON, None when it is not JSON."""
    try:
        return load_json(body)
    except (ValueError, RecursionError):  # not JSON, or nested too deep
        return None


SampleKey = tuple[float, str, float | None, bool]  # minute, kind, value to the millisecond, ok


class NoRecords:
    """The recorder of a worker nobody wired to a mirror: every hook does nothing."""

    def delivered(self, payload: Any, status: int, seconds: float, route: str = "bot") -> None:
        pass

    def handed_off(self, conversation_id: int, reason: str | None, *, responder: bool = False) -> None:
        pass

    def replied(self, jobs: Sequence[Any]) -> None:
        pass

    def send_failed(self) -> None:
        pass


NO_RECORDS = NoRecords()


class Recorder(NoRecords):
    def __init__(
        self,
        mirror: Mirror | None,
        metrics: BotMetrics,
        *,
        clock: Callable[[], float] = time.time,
        samples_retention_days: float = 30.0,
    ) -> None:
        self.mirror = mirror
        self.metrics = metrics
        self.clock = clock
        self.samples_retention = samples_retention_days * DAY
        self._pruned_at: float | None = None
        self._waiting: deque[tuple[str, Any]] = deque()
        self._samples: Counter[SampleKey] = Counter()
        self._wake = asyncio.Event()
        self._failed: dict[int, float] = {}
        self.written = 0  # items written, for tests and the demo to wait on
        self._outage_logged = False
        self._customers: dict[int, CustomerRow] = {}
        self._flushing = asyncio.Lock()

    # -- hooks on the reply path: memory only ----------------------------------------------------------

    def _put(self, kind: str, item: Any) -> None:
        if self.mirror is None:
            return
        if len(self._waiting) >= MAX_WAITING:
            # Full (the database has been down for long): this one is given up; the writer owns the oldest.
            self.metrics.records_dropped.inc()
            return
        self._waiting.append((kind, item))
        self._wake.set()

    def _count(self, kind: str, at: float, value: float | None, ok: bool) -> None:
        if self.mirror is None:
            return
        key = (at // 60 * 60, kind, None if value is None else round(value, 3), ok)
        if key not in self._samples and len(self._samples) >= MAX_WAITING:
            self.metrics.records_dropped.inc()
            return
        self._samples[key] += 1
        self._wake.set()

    def delivered(self, payload: Any, status: int, seconds: float, route: str = "bot") -> None:
        """A webhook was answered `status` in `seconds`; `payload` is its body: the raw bytes, which the writer
        decodes, or as the endpoint parsed it (None when it was not read)."""
        self.metrics.ack_by_route[route].observe(seconds)
        now = self.clock()
        self._count("ack", now, seconds, status < 500)
        if payload is None:
            return
        if status == 200:
            self._put("body", (payload, now))
        elif status >= 500:
            self._put("failed", (payload, now))

    def report(self, obs: Observation) -> None:
        self._put("obs", obs)

    def handed_off(self, conversation_id: int, reason: str | None, *, responder: bool = False) -> None:
        """The bot handed the conversation to people; `reason` is the responder's, or the bot's own rule."""
        if responder:
            trigger, text = responder_trigger(reason), reason
        elif reason in FIXED_TRIGGERS:
            trigger, text = FIXED_TRIGGERS[reason], reason
        else:
            return  # the responder's handoffs are reported by the caller, with the responder's reason
        self.report(
            Observation(conversation_id=conversation_id, hands="pending", at=self.clock(), source="bot",
                        trigger=trigger, reason=text, who_type="bot", from_hands="ai")
        )  # fmt: skip

    def replied(self, jobs: Sequence[Any]) -> None:
        """A reply was posted for these jobs (their created_at: when each customer message arrived)."""
        now = self.clock()
        self.metrics.sent_ok.inc()
        waited = max(0.0, now - min(job.created_at for job in jobs)) if jobs else None
        if waited is not None:
            self.metrics.reply.observe(waited)
        self._count("send", now, waited, True)

    def send_failed(self) -> None:
        self.metrics.sent_failed.inc()
        self._count("send", self.clock(), None, False)

    @property
    def waiting(self) -> int:
        return len(self._waiting) + len(self._samples)

    # -- the writer ---------------------------------------------------------------------------------------

    async def run(self, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        task_status.started()
        if self.mirror is None:
            return
        delay = RETRY_FIRST
        while True:
            if not self.waiting:
                self._wake.clear()
                await self._wake.wait()
            try:
                await self.flush_once()
            except UNREACHABLE as exc:
                if not self._outage_logged:
                    log_event(logger, "mirror_unavailable", logging.WARNING, error=type(exc).__name__,
                              waiting=len(self._waiting), retry_in=delay)  # fmt: skip
                    self._outage_logged = True
                await anyio.sleep(delay)
                delay = min(RETRY_MAX, delay * 2)
            else:
                if self._outage_logged:
                    log_event(logger, "mirror_available", waiting=len(self._waiting))
                    self._outage_logged = False
                delay = RETRY_FIRST
                if len(self._waiting) < BATCH:
                    # Let a burst gather: one transaction for many deliveries costs the intake less CPU.
                    await anyio.sleep(GATHER_SECONDS)
            self.metrics.records_waiting.set(self.waiting)

    async def flush_once(self) -> None:
        """Write the oldest waiting items; they leave the queue only once written (or refused by the database)."""
        async with self._flushing:  # the writer task, and a last flush at shutdown or a test's, never overlap
            await self._flush_once()

    async def _flush_once(self) -> None:
        assert self.mirror is not None
        items = [self._waiting[i] for i in range(min(BATCH, len(self._waiting)))]
        # The counts taken here are written once; those counted meanwhile wait for the next flush.
        samples, self._samples = self._samples, Counter()
        try:
            await self._write(items, samples)
        except UNREACHABLE:
            self._samples.update(samples)
            raise
        except REFUSED as exc:  # write them one by one, giving up only the refused one
            log_event(logger, "mirror_batch_refused", logging.WARNING, error=type(exc).__name__, items=len(items))
            try:
                await self._write([], samples)
            except UNREACHABLE:
                self._samples.update(samples)
                raise
            except REFUSED as item_exc:
                log_event(logger, "mirror_item_refused", logging.ERROR, kind="samples", error=type(item_exc).__name__)
                self.metrics.records_dropped.inc()
            for item in items:
                try:
                    await self._write([item], Counter())
                except UNREACHABLE:
                    raise
                except REFUSED as item_exc:
                    log_event(logger, "mirror_item_refused", logging.ERROR, kind=item[0], error=type(item_exc).__name__)
                    self.metrics.records_dropped.inc()
                self._waiting.popleft()
            return
        for _ in items:
            self._waiting.popleft()
        self.written += len(items) + len(samples)
        await self._prune()

    async def _prune(self) -> None:
        """Samples older than the retention leave the mirror, checked once an hour."""
        assert self.mirror is not None
        now = self.clock()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        try:
            await self.mirror.prune_samples(now - self.samples_retention)
        except REFUSED as exc:  # the samples stay until the next try; nothing else depends on it
            log_event(logger, "mirror_prune_refused", logging.WARNING, error=type(exc).__name__)

    async def _write(self, items: list[tuple[str, Any]], counted: Counter[SampleKey]) -> None:
        assert self.mirror is not None
        found = Extracted()
        samples = [Sample(at, kind, value, ok, count) for (at, kind, value, ok), count in counted.items()]  # type: ignore[arg-type]
        for kind, item in items:
            if kind == "obs":
                found.observations.append(item)
            elif kind == "failed":
                self._note_failure(*item)
            elif kind == "body":
                payload, at = item
                got = extract(_decoded(payload), now=at)
                found.observations.extend(self._explain_failure(obs) for obs in got.observations)
                found.messages.extend(got.messages)
                found.customers.extend(got.customers)
        customers = [
            c
            for c in {c.chatwoot_contact_id: c for c in found.customers}.values()
            if self._customers.get(c.chatwoot_contact_id) != c
        ]
        messages = list({m.chatwoot_message_id: _clean(m) for m in found.messages}.values())
        decisions = await self.mirror.write_batch(coalesce(found.observations), customers, messages, samples)
        for customer in customers:  # written: the next delivery for this customer need not write it again
            self._customers[customer.chatwoot_contact_id] = customer
            if len(self._customers) > CUSTOMER_CACHE:
                self._customers.pop(next(iter(self._customers)))
        for decision in decisions:
            record = decision.record
            if decision.kind in ("new", "extend") and record is not None and record.held_seconds is not None:
                self.metrics.held.observe(record.held_seconds)

    def _note_failure(self, payload: Any, at: float) -> None:
        got = extract(_decoded(payload), now=at)
        for obs in got.observations:
            if obs.hands == "ai":  # a delivery for the bot's conversation failed: Chatwoot may open it
                self._failed[obs.conversation_id] = at

    def _explain_failure(self, obs: Observation) -> Observation:
        failed_at = self._failed.get(obs.conversation_id)
        if failed_at is None or obs.hands != "pending" or obs.trigger is not None:
            return obs
        if obs.at - failed_at > FAILED_DELIVERY_MEMORY:
            del self._failed[obs.conversation_id]
            return obs
        return replace(obs, trigger="webhook_failed", who_type="chatwoot")


def coalesce(observations: list[Observation]) -> list[Observation]:
    """Consecutive webhook snapshots of a conversation in the same hands, as one: in a burst (a customer writing
    several messages) each would only move the stored `updated_at` on."""
    kept: list[Observation] = []
    last: dict[int, int] = {}  # conversation -> index in kept of its latest observation
    for obs in observations:
        index = last.get(obs.conversation_id)
        previous = kept[index] if index is not None else None
        plain = obs.source == "webhook" and obs.trigger is None and not obs.unassigned
        if (
            previous is not None
            and plain
            and previous.source == "webhook"
            and previous.trigger is None
            and not previous.unassigned
            and previous.hands == obs.hands
        ):
            newest = obs if (obs.chatwoot_updated_at or 0) >= (previous.chatwoot_updated_at or 0) else previous
            # The change happened at the earliest of them; the newest guards against older deliveries.
            kept[index] = replace(newest, at=min(obs.at, previous.at))
            continue
        last[obs.conversation_id] = len(kept)
        kept.append(obs)
    return kept


def _decoded(payload: Any) -> Any:
    return decode(payload) if isinstance(payload, bytes) else payload


def _clean(message: MessageRow) -> MessageRow:
    # PostgreSQL text cannot hold NUL; a customer can still send one.
    if message.content and "\x00" in message.content:
        return replace(message, content=message.content.replace("\x00", ""))
    return message


__all__ = ["NO_RECORDS", "REFUSED", "UNREACHABLE", "CustomerRow", "Recorder", "decode", "responder_trigger"]
