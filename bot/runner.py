"""Per-conversation worker: one ordered, debounced loop per conversation, a bounded number at work at once; each
batch goes through the job wrapper, which turns a failure into a retry, an apology or a handoff."""

from __future__ import annotations

import asyncio
import heapq
import logging
import random
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio
from anyio.abc import TaskGroup

from bot.actions import JobActions, Tools, ToolsFactory
from bot.batches import JobEnded, NotSettled, Progress, UncertainPost
from bot.brain.base import Responder
from bot.history import build_history
from bot.logs import log_event
from bot.replicas import build_leases, keep_leases
from bot.settings import BotSettings
from bot.slots import Hold, Slots
from bot.states import ConversationStates
from bot.store import STORE_ERRORS
from bot.store.base import ConversationState, Job, JobMode, Store
from bot.tools import default_tools_factory, describe_error

logger = logging.getLogger(__name__)

MAX_BACKOFF = 60.0
STORE_RETRY_SECONDS = 1.0
SHUTDOWN_GRACE_SECONDS = 10.0
PRUNE_INTERVAL_SECONDS = 3600.0


def backoff(attempts: int, base_delay: float = 0.5) -> float:
    base = min(MAX_BACKOFF, base_delay * 2 ** max(0, attempts - 1))
    return base * (0.5 + random.random() / 2)


class Worker:
    """Owns every background task: one ordered loop per conversation, at most `concurrency` working at once."""

    def __init__(
        self,
        settings: BotSettings,
        store: Store,
        responder: Responder,
        *,
        tools_factory: ToolsFactory | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.store = store
        self.responder = responder
        self.tools_factory = tools_factory or default_tools_factory(settings)
        self.clock = clock
        # On PostgreSQL other replicas work the same database: each conversation is leased to one at a time, and no
        # state is cached (another replica's intake may have changed it).
        self.leases = build_leases(store, settings)
        self.states = ConversationStates(store, shared=self.leases.shared)
        self.actions = JobActions(settings, store, responder, self.states, self.tools_factory, clock)
        self.actions.replica = self.leases.name
        self.running = False
        self.failure: str | None = None
        self.batches_done = 0
        self._slots = Slots(settings.concurrency)
        # Conversations whose stored reply is not settled yet: no batch before this time (kept in memory only; a
        # restart finds the answer's own time in the store).
        self._hold: dict[int, float] = {}
        self._tg: TaskGroup | None = None
        self._active: set[int] = set()
        self._leased: dict[int, anyio.CancelScope] = {}  # loops holding their conversation's lease
        self._dirty: set[int] = set()
        # (when, conversation) of loops not started yet: one timer for them all, rather than a task sleeping
        # through each new conversation's debounce on intake's time.
        self._scheduled: list[tuple[float, int]] = []
        self._schedule_changed = asyncio.Event()
        self._wake: dict[int, asyncio.Event] = {}  # set only by stop()
        self._stopping = False
        self._in_batch = 0
        self._drained = anyio.Event()

    # What intake uses of the conversation states (see bot/states.py).

    def state_lock(self, conversation_id: int) -> asyncio.Lock:
        return self.states.lock(conversation_id)

    async def load_state(self, conversation_id: int) -> ConversationState | None:
        return await self.states.load(conversation_id)

    def remember_state(self, conversation_id: int, state: ConversationState | None) -> None:
        self.states.remember(conversation_id, state)

    def forget_state(self, conversation_id: int) -> None:
        self.states.forget(conversation_id)

    # -- scheduling ---------------------------------------------------------------------------------------

    async def run(self, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Resume unfinished jobs, then serve notifications until cancelled."""
        try:
            async with anyio.create_task_group() as tg:
                self._tg = tg
                self.running = True
                await self.leases.start()
                await self.states.load_all()
                resumed = await self.store.pending_jobs()
                for conversation_id in dict.fromkeys(job.conversation_id for job in resumed):
                    self.notify(conversation_id)
                if resumed:
                    log_event(logger, "jobs_resumed", jobs=len(resumed))
                serve_tools = getattr(self.tools_factory, "serve", None)
                if serve_tools is not None:
                    tg.start_soon(serve_tools, name="tool-session")
                tg.start_soon(self._prune_forever, name="prune")
                if self.leases.shared:
                    tg.start_soon(self._keep_leases, name="leases")
                tg.start_soon(self._start_due_loops, name="scheduler")
                task_status.started()
                await anyio.sleep_forever()
        finally:
            self.running = False
            self._tg = None

    @property
    def stopping(self) -> bool:
        return self._stopping

    async def _prune_forever(self) -> None:
        while True:
            before = self.clock() - self.settings.retention_days * 86_400
            try:
                deleted = await self.store.prune(before)
            except STORE_ERRORS as exc:
                log_event(logger, "store_error", logging.ERROR, task="prune", error=describe_error(exc))
            else:
                if deleted:
                    log_event(logger, "store_pruned", rows=deleted, retention_days=self.settings.retention_days)
            await anyio.sleep(PRUNE_INTERVAL_SECONDS)

    async def stop(self, grace: float) -> None:
        """Let the batches in progress finish (up to `grace` s); work not started stays stored for the next start."""
        self._stopping = True
        self._schedule_changed.set()
        for wake in self._wake.values():
            wake.set()
        if self._in_batch:
            with anyio.move_on_after(grace):
                await self._drained.wait()
        if self.leases.shared:
            try:  # the other replicas take up what was left at once, rather than when the leases expire
                await self.leases.release_all()
            except STORE_ERRORS as exc:
                log_event(logger, "store_error", logging.ERROR, task="leases", error=describe_error(exc))

    async def _keep_leases(self) -> None:
        debounce = self.settings.debounce_seconds
        await keep_leases(self.leases, self._leased, self.notify, debounce=debounce, clock=self.clock)

    def notify(self, conversation_id: int, *, not_before: float = 0.0) -> None:
        """A job for this conversation was stored: start its loop at `not_before` unless one is running or
        scheduled. `not_before` is a time the jobs cannot be due before (a new message's debounce).

        A running loop is not woken: a new message only moves its debounce later, and the loop re-reads the
        jobs when its current wait ends (`_dirty` covers a loop that was about to finish).
        """
        self._dirty.add(conversation_id)
        if conversation_id in self._active or self._tg is None or self._stopping:
            return
        self._active.add(conversation_id)
        heapq.heappush(self._scheduled, (not_before, conversation_id))
        if self._scheduled[0][1] == conversation_id:  # the earliest now: the scheduler's timer must move
            self._schedule_changed.set()

    async def _start_due_loops(self) -> None:
        """Start each scheduled conversation loop when its time comes."""
        while not self._stopping:
            now = self.clock()
            while self._scheduled and self._scheduled[0][0] <= now and self._tg is not None:
                _, conversation_id = heapq.heappop(self._scheduled)
                self._tg.start_soon(self._conversation_loop, conversation_id, name=f"conversation-{conversation_id}")
            self._schedule_changed.clear()
            await wait_event(self._schedule_changed, self._scheduled[0][0] - now if self._scheduled else None)

    async def _conversation_loop(self, conversation_id: int) -> None:
        leased = False
        try:
            leased = await self.leases.claim(conversation_id)
            if not leased:
                return  # another replica works it, and reads its jobs (this one's new job included) when it next looks
            with anyio.CancelScope() as scope:  # cancelled when the lease is lost
                self._leased[conversation_id] = scope
                await self._work(conversation_id)
        except STORE_ERRORS as exc:
            # The claim failed: the jobs stay pending, and the lease sweep finds them (this replica's or another's).
            error = describe_error(exc)
            log_event(logger, "store_error", logging.ERROR, conversation_id=conversation_id, error=error)
        except BaseException as exc:
            if not isinstance(exc, anyio.get_cancelled_exc_class()):
                self.failure = describe_error(exc)
            raise
        finally:
            self._active.discard(conversation_id)
            self._wake.pop(conversation_id, None)
            if self._leased.pop(conversation_id, None) is not None and leased and self.leases.shared:
                await self._release(conversation_id)

    async def _release(self, conversation_id: int) -> None:
        """Give the lease back; a job another replica stored while this one held it (and so could not claim it) is
        taken up again."""
        with anyio.CancelScope(shield=True):
            try:
                await self.leases.release(conversation_id)
                if not self._stopping and await self.store.pending_jobs(conversation_id):
                    self.notify(conversation_id)
            except STORE_ERRORS as exc:  # the lease expires; the sweep takes the jobs up
                error = describe_error(exc)
                log_event(logger, "store_error", logging.ERROR, conversation_id=conversation_id, error=error)

    async def _work(self, conversation_id: int) -> None:
        while not self._stopping:
            self._dirty.discard(conversation_id)
            try:
                if not await self._step(conversation_id) and conversation_id not in self._dirty:
                    return
            except STORE_ERRORS as exc:
                # The jobs stay pending in the store; try again once it answers.
                error = describe_error(exc)
                log_event(logger, "store_error", logging.ERROR, conversation_id=conversation_id, error=error)
                await anyio.sleep(STORE_RETRY_SECONDS)

    async def _step(self, conversation_id: int) -> bool:
        """Wait out the debounce or backoff, or run one batch; False when nothing is pending."""
        jobs = await self.store.pending_jobs(conversation_id)
        if not jobs:
            return False
        due = self._due(conversation_id, jobs)
        if due > self.clock():
            await self._wait_until(conversation_id, due)
            return True
        # The customer who has waited longest gets the next free slot.
        async with self._slots.hold(min(job.created_at for job in jobs)) as slot:
            if self._stopping:
                return True
            if slot.waited:
                # Messages that arrived while waiting for a slot join this batch rather than getting a second answer.
                jobs = await self.store.pending_jobs(conversation_id)
                if not jobs:
                    return True
            self._in_batch += 1
            try:
                return await self._run_batch(conversation_id, jobs, slot)
            finally:
                self._in_batch -= 1
                if self._in_batch == 0 and self._stopping:
                    self._drained.set()

    async def _wait_until(self, conversation_id: int, when: float) -> None:
        """Sleep until `when`, or until stop() wakes every loop."""
        if self._stopping:
            return
        wake = self._wake[conversation_id] = asyncio.Event()
        await wait_event(wake, when - self.clock())

    def _due(self, conversation_id: int, jobs: list[Job]) -> float:
        """Debounce from the newest customer message, and respect the retry backoff of failed jobs and the wait
        for an unsettled reply."""
        due = max(job.not_before for job in jobs)
        held = self._hold.get(conversation_id)
        if held is not None:
            if held > self.clock():
                due = max(due, held)
            else:
                del self._hold[conversation_id]
        replies = [job for job in jobs if job.kind == "reply" and job.attempts == 0]
        if replies:
            due = max(due, max(job.created_at for job in replies) + self.settings.debounce_seconds)
        return due

    # -- the job wrapper ------------------------------------------------------------------------------------

    async def _run_batch(self, conversation_id: int, jobs: list[Job], slot: Hold | None = None) -> bool:
        """Run one batch; False when it saw that nothing is left pending in the conversation (no need to look)."""
        progress = Progress(slot=slot)
        ids = [job.id for job in jobs]
        try:
            await self.actions.process(conversation_id, jobs, progress)
        except JobEnded as exc:
            log_event(
                logger,
                "job_ended",
                logging.WARNING,
                conversation_id=conversation_id,
                jobs=ids,
                status=exc.status,
                reason=exc.reason,
            )
            await self.store.finish_jobs(ids, exc.status, exc.reason)  # type: ignore[arg-type]
        except NotSettled as exc:
            self._hold[conversation_id] = exc.until
            log_event(
                logger,
                "reply_unsettled",
                conversation_id=conversation_id,
                idempotency_key=exc.key,
                wait=round(exc.until - self.clock(), 2),
            )
        except Exception as exc:  # the one catch-all: any failure becomes a retry, an apology or a handoff
            attempts = max(job.attempts for job in jobs) + 1
            mode: JobMode = max((job.mode for job in jobs), key=("answer", "apology", "failsafe").index)
            delay = backoff(attempts, self.settings.retry_base_seconds)
            if isinstance(exc, UncertainPost):
                # Nothing newer is posted before the reply shows up in the conversation or is known lost.
                delay = max(delay, self.settings.settle_seconds)
            if progress.stage == "respond" and mode == "answer":
                mode, delay = "apology", 0.0
            elif mode == "failsafe" and attempts >= 2 * self.settings.max_attempts:
                # Even the handoff keeps failing: stop, rather than retry forever.
                log_event(
                    logger,
                    "job_ended",
                    logging.ERROR,
                    conversation_id=conversation_id,
                    jobs=ids,
                    status="failed",
                    reason=describe_error(exc),
                )
                await self.store.finish_jobs(ids, "failed", "gave up: the handoff kept failing")
                return True
            elif attempts >= self.settings.max_attempts:
                mode = "failsafe"
            logger.exception(
                "job_failed",
                extra={
                    "fields": {
                        "conversation_id": conversation_id,
                        "jobs": ids,
                        "attempts": attempts,
                        "stage": progress.stage,
                        "next_mode": mode,
                        "retry_in": round(delay, 2),
                    }
                },
            )
            await self.store.fail_jobs(ids, error=describe_error(exc), mode=mode, not_before=self.clock() + delay)
        else:
            self.batches_done += 1
            return progress.pending != 0
        return True

    def health(self) -> tuple[bool, str]:
        if self.failure is not None:
            return False, f"worker failed: {self.failure}"
        if not self.running:
            return False, "worker is not running"
        return True, "running"


async def wait_event(event: asyncio.Event, timeout: float | None) -> None:
    """Until `event` is set, or `timeout` seconds have passed (never, when None): a timer that sets the event,
    cheaper than a cancel scope on a path every new conversation takes."""
    timer = None if timeout is None else asyncio.get_running_loop().call_later(max(0.0, timeout), event.set)
    try:
        await event.wait()
    finally:
        if timer is not None:
            timer.cancel()


@asynccontextmanager
async def running_worker(worker: Worker) -> AsyncIterator[Worker]:
    """Run the worker in its own task group for the duration of the block."""
    async with anyio.create_task_group() as tg:
        await tg.start(worker.run)
        try:
            yield worker
        finally:
            await worker.stop(SHUTDOWN_GRACE_SECONDS)
            tg.cancel_scope.cancel()


__all__ = ["Tools", "ToolsFactory", "Worker", "build_history", "running_worker"]
