"""The work of one batch of a conversation's jobs: re-check the owner, answer, hand off or step aside, through
the MCP tools, each step idempotent so that a retry or a restart repeats nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from typing import Any, Protocol

from bot import texts
from bot.brain.base import BotContext, Outcome, Responder, outcome_from_json, outcome_to_json
from bot.events import OWN_SOURCE_PREFIX, log_event
from bot.history import build_history
from bot.ratelimit import SlidingWindow
from bot.records.recorder import NO_RECORDS
from bot.settings import BotSettings
from bot.states import ConversationStates
from bot.store import STORE_ERRORS
from bot.store.base import ConversationState, Job, Store
from chatwoot_mcp.server.session import ToolCallFailed

logger = logging.getLogger("bot.runner")


class Tools(Protocol):
    async def call(self, name: str, **arguments: Any) -> dict[str, Any]: ...


ToolsFactory = Callable[[], AbstractAsyncContextManager[Tools]]


@dataclass
class Progress:
    """Where a batch got to; the job wrapper reads it to choose between retry, apology and fail-safe."""

    stage: str = "start"


class JobActions:
    """What the worker does with a batch; any exception is the job wrapper's to turn into a retry or a handoff."""

    def __init__(
        self,
        settings: BotSettings,
        store: Store,
        responder: Responder,
        states: ConversationStates,
        tools_factory: ToolsFactory,
        clock: Callable[[], float],
    ) -> None:
        self.settings = settings
        self.store = store
        self.responder = responder
        self.states = states
        self.tools_factory = tools_factory
        self.clock = clock
        self.bot_id = settings.agent_bot_id
        self.replies = SlidingWindow(settings.max_replies_per_minute, 60.0)
        self.records = NO_RECORDS  # bot.app puts the app's recorder here

    async def process(self, conversation_id: int, jobs: list[Job], progress: Progress) -> None:
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

    async def _read_owner(self, tools: Tools, conversation_id: int) -> tuple[dict[str, Any], str | None]:
        """The conversation as Chatwoot has it now, and why the bot must not speak in it (None when it may)."""
        conversation = await tools.call("chatwoot_get_conversation", conversation_id=conversation_id)
        return conversation, await self._owner_problem(conversation, conversation_id)

    async def _owner_problem(self, conversation: dict[str, Any], conversation_id: int) -> str | None:
        """Why the bot must not speak in this conversation now, or None when it may."""
        owner = conversation.get("owner")
        if owner != "bot":
            return f"owner is {owner}"
        assignee = conversation.get("assignee") or {}
        if assignee.get("type") == "agent_bot" and self.bot_id is not None and assignee.get("id") != self.bot_id:
            return "assigned to another AgentBot"
        state = await self.states.read(conversation_id)
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
        conversation, problem = await self._read_owner(tools, conversation_id)
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
        _, problem = await self._read_owner(tools, conversation_id)
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
                self.records.replied(jobs)
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
            self.records.handed_off(conversation_id, outcome.handoff_reason, responder=True)
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
            self.records.send_failed()
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
        self.records.handed_off(conversation_id, reason)

    async def _rate_limited(self, tools: Tools, conversation_id: int, key: str) -> None:
        state = await self.states.read(conversation_id)
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
        async with self.states.lock(conversation_id):
            state = await self.states.load(conversation_id) or ConversationState(conversation_id=conversation_id)
            state = replace(state, limit_handoff_sent=True, updated_at=self.clock())
            try:
                await self.store.put_state(state)
            except STORE_ERRORS:
                self.states.forget(conversation_id)  # it may have been written all the same
                raise
            self.states.remember(conversation_id, state)

    async def _drop(self, ids: list[int], conversation_id: int, reason: str) -> None:
        await self.store.finish_jobs(ids, "dropped", reason)
        log_event(logger, "reply_dropped", conversation_id=conversation_id, reason=reason, jobs=len(ids))
