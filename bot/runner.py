"""Per-conversation worker: ordered, debounced, re-checks the owner, posts through the MCP tools exactly once."""

from __future__ import annotations

import asyncio
import heapq
import logging
import random
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any, Protocol

import anyio
from anyio.abc import TaskGroup

from bot import texts
from bot.brain.base import BotContext, Outcome, Responder, outcome_from_json, outcome_to_json
from bot.events import OWN_SOURCE_PREFIX, log_event
from bot.history import build_history
from bot.ratelimit import SlidingWindow
from bot.settings import BotSettings
from bot.store import STORE_ERRORS
from bot.store.base import ConversationState, Job, JobMode, Store
from chatwoot_mcp.server.session import ToolCallFailed, ToolSessions

logger = logging.getLogger("bot.runner")

MAX_BACKOFF = 60.0
STORE_RETRY_SECONDS = 1.0
SHUTDOWN_GRACE_SECONDS = 10.0
STATE_LOCK_STRIPES = 64
STATE_CACHE_SIZE = 10_000
PRUNE_INTERVAL_SECONDS = 3600.0


class Tools(Protocol):
    async def call(self, name: str, **arguments: Any) -> dict[str, Any]: ...


ToolsFactory = Callable[[], AbstractAsyncContextManager[Tools]]


class EchoResponder:
    """The simplest responder behind the brain's interface: repeats the customer's last words."""

    name = "echo"

    async def respond(self, ctx: BotContext) -> Outcome:
        last = next((turn.content for turn in reversed(ctx.history) if turn.role == "customer"), "")
        return Outcome(reply=f"Você disse: {last}" if last else "Olá! Como posso ajudar?")


def default_tools_factory(settings: BotSettings) -> ToolSessions:
    """MCP tool sessions, one per batch of work, on one in-memory server (or a remote one), as the AgentBot when a
    bot token is set."""
    return ToolSessions(
        settings.chatwoot,
        act_as_bot=settings.chatwoot.bot_token is not None,
        url=settings.mcp_url,
        token=settings.mcp_token.get_secret_value() if settings.mcp_token is not None else None,
    )


@dataclass
class Progress:
    """Where a batch got to; the job wrapper reads it to choose between retry, apology and fail-safe."""

    stage: str = "start"


def backoff(attempts: int, base_delay: float = 0.5) -> float:
    base = min(MAX_BACKOFF, base_delay * 2 ** max(0, attempts - 1))
    return base * (0.5 + random.random() / 2)


def describe_error(exc: BaseException) -> str:
    # The MCP client's task group wraps what was raised inside the session; report the cause itself.
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:300]


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
        self.bot_id = settings.agent_bot_id
        self.replies = SlidingWindow(settings.max_replies_per_minute, 60.0)
        self.running = False
        self.failure: str | None = None
        self.batches_done = 0
        self._limiter = anyio.CapacityLimiter(settings.concurrency)
        self._tg: TaskGroup | None = None
        self._active: set[int] = set()
        self._dirty: set[int] = set()
        # (when, conversation) of loops not started yet: one timer for them all, rather than a task sleeping
        # through each new conversation's debounce on intake's time.
        self._scheduled: list[tuple[float, int]] = []
        self._schedule_changed = asyncio.Event()
        self._wake: dict[int, asyncio.Event] = {}  # set only by stop()
        self._states: OrderedDict[int, ConversationState | None] = OrderedDict()
        # True while the cache holds every state row there is (loaded at start, nothing evicted since): a
        # conversation missing from it has no row, and a first message needs no read.
        self._states_complete = False
        self._stopping = False
        self._in_batch = 0
        self._drained = anyio.Event()
        # asyncio's own lock: the bot runs on asyncio, and anyio's costs intake a task lookup per webhook.
        self._state_locks = [asyncio.Lock() for _ in range(STATE_LOCK_STRIPES)]

    def state_lock(self, conversation_id: int) -> asyncio.Lock:
        """Held by whoever reads, changes and writes a conversation's state row (intake and this worker)."""
        return self._state_locks[conversation_id % STATE_LOCK_STRIPES]

    async def load_state(self, conversation_id: int) -> ConversationState | None:
        """The conversation's state, from memory when this process wrote or read it recently."""
        if conversation_id in self._states:
            self._states.move_to_end(conversation_id)
            return self._states[conversation_id]
        if self._states_complete:
            return None
        state = await self.store.get_state(conversation_id)
        self.remember_state(conversation_id, state)
        return state

    def remember_state(self, conversation_id: int, state: ConversationState | None) -> None:
        """Record what was just written to (or read from) the store; one process owns its database."""
        self._states[conversation_id] = state
        self._states.move_to_end(conversation_id)
        while len(self._states) > STATE_CACHE_SIZE:
            self._states.popitem(last=False)
            self._states_complete = False

    def forget_state(self, conversation_id: int) -> None:
        """The stored state is not known any more (a write may or may not have landed): read it next time."""
        self._states.pop(conversation_id, None)
        self._states_complete = False

    async def _load_all_states(self) -> None:
        states = await self.store.all_states(STATE_CACHE_SIZE)
        if states is None:
            return
        self._states.clear()
        for state in states:
            self._states[state.conversation_id] = state
        self._states_complete = True

    # -- scheduling ---------------------------------------------------------------------------------------

    async def run(self, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Resume unfinished jobs, then serve notifications until cancelled."""
        try:
            async with anyio.create_task_group() as tg:
                self._tg = tg
                self.running = True
                await self._load_all_states()
                resumed = await self.store.pending_jobs()
                for conversation_id in dict.fromkeys(job.conversation_id for job in resumed):
                    self.notify(conversation_id)
                if resumed:
                    log_event(logger, "jobs_resumed", jobs=len(resumed))
                tg.start_soon(self._prune_forever, name="prune")
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
        try:
            while not self._stopping:
                self._dirty.discard(conversation_id)
                try:
                    if not await self._step(conversation_id) and conversation_id not in self._dirty:
                        return
                except STORE_ERRORS as exc:
                    # The jobs stay pending in the store; try again once it answers.
                    log_event(
                        logger, "store_error", logging.ERROR, conversation_id=conversation_id, error=describe_error(exc)
                    )
                    await anyio.sleep(STORE_RETRY_SECONDS)
        except BaseException as exc:
            if not isinstance(exc, anyio.get_cancelled_exc_class()):
                self.failure = describe_error(exc)
            raise
        finally:
            self._active.discard(conversation_id)
            self._wake.pop(conversation_id, None)

    async def _step(self, conversation_id: int) -> bool:
        """Wait out the debounce or backoff, or run one batch; False when nothing is pending."""
        jobs = await self.store.pending_jobs(conversation_id)
        if not jobs:
            return False
        due = self._due(jobs)
        if due > self.clock():
            await self._wait_until(conversation_id, due)
            return True
        async with self._limiter:
            if self._stopping:
                return True
            # Messages that arrived while waiting for a slot join this batch rather than getting a second answer.
            jobs = await self.store.pending_jobs(conversation_id)
            if not jobs:
                return True
            self._in_batch += 1
            try:
                await self._run_batch(conversation_id, jobs)
            finally:
                self._in_batch -= 1
                if self._in_batch == 0 and self._stopping:
                    self._drained.set()
        return True

    async def _wait_until(self, conversation_id: int, when: float) -> None:
        """Sleep until `when`, or until stop() wakes every loop."""
        if self._stopping:
            return
        wake = self._wake[conversation_id] = asyncio.Event()
        await wait_event(wake, when - self.clock())

    def _due(self, jobs: list[Job]) -> float:
        """Debounce from the newest customer message, and respect the retry backoff of failed jobs."""
        due = max(job.not_before for job in jobs)
        replies = [job for job in jobs if job.kind == "reply" and job.attempts == 0]
        if replies:
            due = max(due, max(job.created_at for job in replies) + self.settings.debounce_seconds)
        return due

    # -- the job wrapper ------------------------------------------------------------------------------------

    async def _run_batch(self, conversation_id: int, jobs: list[Job]) -> None:
        progress = Progress()
        ids = [job.id for job in jobs]
        try:
            await self._process(conversation_id, jobs, progress)
        except Exception as exc:  # the one catch-all: any failure becomes a retry, an apology or a handoff
            attempts = max(job.attempts for job in jobs) + 1
            mode: JobMode = max((job.mode for job in jobs), key=("answer", "apology", "failsafe").index)
            delay = backoff(attempts, self.settings.retry_base_seconds)
            if progress.stage == "respond" and mode == "answer":
                mode, delay = "apology", 0.0
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

    # -- the work ---------------------------------------------------------------------------------------------

    async def _process(self, conversation_id: int, jobs: list[Job], progress: Progress) -> None:
        takeovers = [job for job in jobs if job.kind == "takeover"]
        replies = [job for job in jobs if job.kind == "reply"]
        async with self.tools_factory() as tools:
            progress.stage = "takeover"
            if takeovers:
                await self._take_over(tools, conversation_id, takeovers)
            if replies:
                await self._reply(tools, conversation_id, replies, progress)

    async def _take_over(self, tools: Tools, conversation_id: int, jobs: list[Job]) -> None:
        ids = [job.id for job in jobs]
        if any(job.mode == "failsafe" for job in jobs):
            # A person is already in the conversation; only the status change kept failing.
            log_event(
                logger,
                "takeover_open_failed",
                logging.ERROR,
                conversation_id=conversation_id,
                error=jobs[-1].last_error,
            )
            await self.store.finish_jobs(ids, "failed", "could not open the conversation")
            return
        log_event(
            logger,
            "takeover",
            conversation_id=conversation_id,
            note=texts.TAKEOVER_LOG.format(conversation_id=conversation_id),
        )
        if self.settings.open_on_human_reply:
            conversation = await tools.call("chatwoot_get_conversation", conversation_id=conversation_id)
            if conversation.get("status") == "pending":
                await tools.call("chatwoot_update_conversation", conversation_id=conversation_id, status="open")
                log_event(logger, "conversation_opened", conversation_id=conversation_id, reason="human takeover")
        await self.store.finish_jobs(ids, "done")

    async def _owner_problem(self, conversation: dict[str, Any], conversation_id: int) -> str | None:
        """Why the bot must not speak in this conversation now, or None when it may."""
        owner = conversation.get("owner")
        if owner != "bot":
            return f"owner is {owner}"
        assignee = conversation.get("assignee") or {}
        if assignee.get("type") == "agent_bot" and self.bot_id is not None and assignee.get("id") != self.bot_id:
            return "assigned to another AgentBot"
        state = await self.load_state(conversation_id)
        if state is not None and state.human_active:
            return "a human agent took over"
        return None

    async def _reply(self, tools: Tools, conversation_id: int, jobs: list[Job], progress: Progress) -> None:
        ids = [job.id for job in jobs]
        mode = max((job.mode for job in jobs), key=("answer", "apology", "failsafe").index)
        last_message_id = max(job.message_id or 0 for job in jobs)
        key = f"{OWN_SOURCE_PREFIX}{last_message_id}"
        if mode == "failsafe":
            error = next((job.last_error for job in reversed(jobs) if job.last_error), "?")
            await self._hand_off(tools, conversation_id, key, texts.FAILED_JOB_NOTE.format(error=error), "failsafe")
            await self.store.finish_jobs(ids, "failed", "handed off after repeated failures")
            return
        progress.stage = "read"
        conversation = await tools.call("chatwoot_get_conversation", conversation_id=conversation_id)
        problem = await self._owner_problem(conversation, conversation_id)
        if problem is not None:
            await self._drop(ids, conversation_id, problem)
            return
        if mode == "apology":
            if await self._send(tools, conversation_id, texts.APOLOGY, key) is None:
                await self._drop(ids, conversation_id, "owner changed while sending")
                return
            note = texts.FAILED_JOB_NOTE.format(error=jobs[-1].last_error or "?")
            await self._hand_off(tools, conversation_id, key, note, "responder failed")
            await self.store.finish_jobs(ids, "done", "apologised and handed off")
            return
        decided = await self._decided_handoff(jobs, key)
        if decided is not None:
            key, outcome = decided
        else:
            outcome = await self._outcome(tools, conversation_id, conversation, key, progress)
        progress.stage = "post"
        # A human may have taken over while the responder was thinking.
        conversation = await tools.call("chatwoot_get_conversation", conversation_id=conversation_id)
        problem = await self._owner_problem(conversation, conversation_id)
        if problem is not None:
            await self._drop(ids, conversation_id, problem)
            return
        # The customer is told about a handoff even when the brain gave no reply of its own.
        visible = outcome.reply or (texts.HANDOFF_NOTICE if outcome.handoff_reason else None)
        if visible and self.replies.exceeded(conversation_id):
            await self._rate_limited(tools, conversation_id, key)
            await self.store.finish_jobs(ids, "dropped", "reply rate limit")
            return
        if visible:
            # Every step below is idempotent, so a retry after a crash or a failure part-way repeats nothing.
            sent = await self._send(tools, conversation_id, visible, key)
            if sent is None:
                await self._drop(ids, conversation_id, "owner changed while sending")
                return
            if not sent.get("duplicate"):
                self.replies.hit(conversation_id)
        for index, note in enumerate(outcome.notes):
            await tools.call(
                "chatwoot_send_message",
                conversation_id=conversation_id,
                content=note,
                private=True,
                idempotency_key=f"{key}:note:{index}",
            )
        if not visible and not outcome.notes:
            log_event(logger, "no_reply", conversation_id=conversation_id, responder=self.responder.name)
        if outcome.handoff_reason:
            note = texts.HANDOFF_NOTE.format(reason=outcome.handoff_reason, summary=outcome.summary or texts.NO_SUMMARY)
            # The model writes the reason and may quote the customer: a message body, logged only on request.
            reason = outcome.handoff_reason if self.settings.log_content else "asked by the responder"
            await self._hand_off(tools, conversation_id, key, note, reason)
        await self.store.finish_jobs(ids, "done")

    async def _decided_handoff(self, jobs: list[Job], key: str) -> tuple[str, Outcome] | None:
        """A handoff that an earlier, failed try of some of these jobs decided on, with its key: it stands even
        when newer messages joined the batch (the person taking over reads them)."""
        for job in jobs:
            earlier = f"{OWN_SOURCE_PREFIX}{job.message_id}"
            if job.attempts == 0 or job.message_id is None or earlier == key:
                continue
            stored = await self.store.get_outcome(earlier)
            if stored is not None and stored.get("handoff_reason"):
                log_event(logger, "outcome_reused", conversation_id=job.conversation_id, idempotency_key=earlier)
                return earlier, outcome_from_json(stored)
        return None

    async def _outcome(
        self, tools: Tools, conversation_id: int, conversation: dict[str, Any], key: str, progress: Progress
    ) -> Outcome:
        """The batch's answer, asked of the responder once: it is stored before anything is posted, so a retry
        or a restart finishes what was started (a handoff included) instead of asking, and paying, again."""
        stored = await self.store.get_outcome(key)
        if stored is not None:
            log_event(logger, "outcome_reused", conversation_id=conversation_id, idempotency_key=key)
            return outcome_from_json(stored)
        listed = await tools.call("chatwoot_list_messages", conversation_id=conversation_id)
        messages = list(listed.get("items") or [])
        contact = conversation.get("contact") or {}
        context = BotContext(
            conversation_id=conversation_id,
            customer_name=contact.get("name"),
            history=build_history(messages),
            bot_name=self.settings.chatwoot.bot_name,
        )
        progress.stage = "respond"
        outcome = await self.responder.respond(context)
        progress.stage = "save"
        saved = await self.store.save_outcome(
            key, conversation_id=conversation_id, outcome=outcome_to_json(outcome), created_at=self.clock()
        )
        return outcome_from_json(saved)

    async def _send(self, tools: Tools, conversation_id: int, content: str, key: str) -> dict[str, Any] | None:
        """Post a customer-visible message; None when the conversation is no longer the bot's."""
        try:
            result = await tools.call(
                "chatwoot_send_message",
                conversation_id=conversation_id,
                content=content,
                expect_owner="bot",
                idempotency_key=key,
            )
        except ToolCallFailed:
            conversation = await tools.call("chatwoot_get_conversation", conversation_id=conversation_id)
            if conversation.get("owner") != "bot":
                return None
            raise
        message = result.get("message") or {}
        fields: dict[str, Any] = {
            "conversation_id": conversation_id,
            "idempotency_key": key,
            "reply_id": message.get("id"),
            "duplicate": bool(result.get("duplicate")),
        }
        if self.settings.log_content:
            fields["content"] = content
        log_event(logger, "reply_already_posted" if result.get("duplicate") else "reply_sent", **fields)
        return result

    async def _hand_off(self, tools: Tools, conversation_id: int, key: str, note: str, reason: str) -> None:
        """A private note for the agents, then status open (with the bot token this is Chatwoot's bot handoff),
        in the human team when one is configured."""
        await tools.call(
            "chatwoot_send_message",
            conversation_id=conversation_id,
            content=note,
            private=True,
            idempotency_key=f"{key}:handoff",
        )
        conversation = await tools.call("chatwoot_get_conversation", conversation_id=conversation_id)
        if conversation.get("status") == "pending":
            changes: dict[str, Any] = {"status": "open"}
            if self.settings.chatwoot.human_team_id is not None:
                changes["team_id"] = self.settings.chatwoot.human_team_id
            await tools.call("chatwoot_update_conversation", conversation_id=conversation_id, **changes)
        log_event(logger, "handoff", conversation_id=conversation_id, reason=reason)

    async def _rate_limited(self, tools: Tools, conversation_id: int, key: str) -> None:
        state = await self.load_state(conversation_id)
        first = state is None or not state.limit_handoff_sent
        log_event(
            logger,
            "reply_rate_limited",
            logging.WARNING,
            conversation_id=conversation_id,
            limit=self.settings.max_replies_per_minute,
            handoff=first,
        )
        if not first:
            return
        await self._hand_off(tools, conversation_id, key, texts.RATE_LIMIT_NOTE, "reply rate limit")
        # Re-read under the lock: the handoff's own webhook may have updated the row meanwhile.
        async with self.state_lock(conversation_id):
            state = await self.load_state(conversation_id) or ConversationState(conversation_id=conversation_id)
            state = replace(state, limit_handoff_sent=True, updated_at=self.clock())
            try:
                await self.store.put_state(state)
            except STORE_ERRORS:
                self.forget_state(conversation_id)  # it may have been written all the same
                raise
            self.remember_state(conversation_id, state)

    async def _drop(self, ids: list[int], conversation_id: int, reason: str) -> None:
        await self.store.finish_jobs(ids, "dropped", reason)
        log_event(logger, "reply_dropped", conversation_id=conversation_id, reason=reason, jobs=len(ids))

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


__all__ = ["EchoResponder", "Worker", "build_history", "running_worker"]
