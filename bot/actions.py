"""The work of one batch of a conversation's jobs: re-check the owner, answer, hand off or step aside, through
the MCP tools, each step idempotent so that a retry or a restart repeats nothing.

A reply covers exactly the customer messages up to the newest one in the history its responder saw, and carries
that message's id in its key (`bot:<id>`); jobs for messages a posted reply covers are closed as covered. The
answer is stored under the batch's oldest job before anything is posted, so every retry posts that same answer
(never asks again), and it is settled (found in the conversation, or known lost) before anything newer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from typing import Any, Protocol

from bot import texts
from bot.batches import Answer, JobEnded, NotSettled, Progress, UncertainPost, batch_key
from bot.brain.base import BotContext, Responder
from bot.history import (
    answered_through,
    build_history,
    newest_customer_message,
    reply_key,
)
from bot.logs import log_event
from bot.records.recorder import NO_RECORDS
from bot.settings import BotSettings
from bot.slots import Slots
from bot.states import ConversationStates
from bot.store import STORE_ERRORS
from bot.store.base import ConversationState, Job, Store
from chatwoot_mcp.ratelimit import SlidingWindow
from chatwoot_mcp.server.session import ToolCallFailed
from chatwoot_mcp.server.tools.messages import SendResult
from chatwoot_mcp.server.views import ConversationDetail

logger = logging.getLogger(__name__)


class Tools(Protocol):
    async def call(self, name: str, **arguments: Any) -> dict[str, Any]: ...


ToolsFactory = Callable[[], AbstractAsyncContextManager[Tools]]


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
        self.model_slots = Slots(settings.model_concurrency)
        self.started_at = clock()
        # This process's name among the replicas (the worker sets its lease name): an answer stored by another
        # process may be mid-post there.
        self.replica = ""
        # Answers the store has not taken yet (it failed): a retry posts them instead of asking the model again.
        self._unsaved: dict[str, Answer] = {}
        # When this process last tried to post a batch's reply and could not tell whether it was created.
        self._uncertain: dict[str, float] = {}

    async def process(self, conversation_id: int, jobs: list[Job], progress: Progress) -> None:
        takeovers = [job for job in jobs if job.kind == "takeover"]
        replies = [job for job in jobs if job.kind == "reply"]
        async with self.tools_factory() as tools:
            try:
                progress.stage = "takeover"
                if takeovers:
                    await self._take_over(tools, conversation_id, takeovers)
                if replies:
                    await self._reply(tools, conversation_id, replies, progress)
            except ToolCallFailed as exc:
                await self._check_permanent(tools, conversation_id, bool(replies))
                raise exc

    async def _check_permanent(self, tools: Tools, conversation_id: int, replying: bool) -> None:
        """After a failed tool call: raise JobEnded when no retry can succeed (the conversation is gone, a reply
        batch's conversation no longer the bot's); otherwise return, and the failure is retried."""
        try:
            conversation = await self._conversation(tools, conversation_id)
        except ToolCallFailed as exc:
            # The tools' one sentence for Chatwoot's 404 (chatwoot_mcp.server.errors.describe).
            if f"conversation {conversation_id} was not found" in exc.message:
                raise JobEnded("conversation not found in Chatwoot", "failed") from None
            return
        if replying and conversation.owner != "bot":
            raise JobEnded(f"owner is {conversation.owner}", "dropped")

    async def _conversation(self, tools: Tools, conversation_id: int) -> ConversationDetail:
        """The conversation as Chatwoot has it now, with its latest messages."""
        result = await tools.call("chatwoot_get_conversation", conversation_id=conversation_id)
        return ConversationDetail.model_validate(result)

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
            conversation = await self._conversation(tools, conversation_id)
            if conversation.status == "pending":
                await tools.call("chatwoot_update_conversation", conversation_id=conversation_id, status="open")
                log_event(logger, "conversation_opened", conversation_id=conversation_id, reason="human takeover")
        await self.store.finish_jobs(ids, "done")

    async def _owner_problem(self, conversation: ConversationDetail) -> str | None:
        """Why the bot must not speak in this conversation now, or None when it may."""
        if conversation.owner != "bot":
            return f"owner is {conversation.owner}"
        assignee = conversation.assignee
        if assignee is not None and assignee.type == "agent_bot" and self.bot_id not in (None, assignee.id):
            return "assigned to another AgentBot"
        state = await self.states.read(conversation.id)
        if state is not None and state.human_active:
            return "a human agent took over"
        return None

    async def _reply(self, tools: Tools, conversation_id: int, jobs: list[Job], progress: Progress) -> None:
        mode = max((job.mode for job in jobs), key=("answer", "apology", "failsafe").index)
        if mode == "failsafe":
            key = reply_key(max(job.message_id or 0 for job in jobs))
            error = next((job.last_error for job in reversed(jobs) if job.last_error), "?")
            await self._hand_off(tools, conversation_id, key, texts.FAILED_JOB_NOTE.format(error=error), "failsafe")
            await self.store.finish_jobs([job.id for job in jobs], "failed", "handed off after repeated failures")
            return
        progress.stage = "read"
        conversation = await self._conversation(tools, conversation_id)
        problem = await self._owner_problem(conversation)
        if problem is not None:
            await self._drop([job.id for job in jobs], conversation_id, problem)
            return
        batch = batch_key(jobs)
        answer = await self._stored_answer(batch, conversation_id, progress)
        if answer is not None:
            # Finish what an earlier try started (the same reply, notes and handoff, each idempotent), once its
            # post is known to have landed or to be lost.
            if answered_through(conversation.messages) < answer.covers:
                self._check_settled(batch, answer)
        else:
            jobs = await self._close_covered(conversation_id, jobs, answered_through(conversation.messages))
            if not jobs:
                return
            covers = max(newest_customer_message(conversation.messages), max(job.message_id or 0 for job in jobs))
            if mode == "apology":
                await self._apologise(tools, conversation_id, jobs, reply_key(covers))
                return
            batch = batch_key(jobs)
            answer = await self._ask(conversation, covers, batch, progress)
            # A human may have taken over while the responder was thinking (the send tool itself re-checks the
            # owner in Chatwoot right before posting).
            state = await self.states.read(conversation_id)
            if state is not None and state.human_active:
                await self._drop([job.id for job in jobs], conversation_id, "a human agent took over")
                return
        progress.stage = "post"
        seen = seen_through(conversation, answer.covers)
        progress.pending = await self._post(tools, conversation_id, jobs, batch, answer, seen)

    async def _close_covered(self, conversation_id: int, jobs: list[Job], through: int) -> list[Job]:
        """Close the reply jobs of customer messages a posted reply covers (up to message `through`); return the
        rest."""
        covered = [job.id for job in jobs if job.kind == "reply" and (job.message_id or 0) <= through]
        if covered:
            await self.store.finish_jobs(covered, "done", f"covered by {reply_key(through)}")
            log_event(logger, "reply_covered", conversation_id=conversation_id, jobs=len(covered), covers=through)
        return [job for job in jobs if job.id not in covered]

    async def _apologise(self, tools: Tools, conversation_id: int, jobs: list[Job], key: str) -> None:
        ids = [job.id for job in jobs]
        if await self._send(tools, conversation_id, texts.APOLOGY, key) is None:
            await self._drop(ids, conversation_id, "owner changed while sending")
            return
        note = texts.FAILED_JOB_NOTE.format(error=jobs[-1].last_error or "?")
        await self._hand_off(tools, conversation_id, key, note, "responder failed")
        await self.store.finish_jobs(ids, "done", "apologised and handed off")

    async def _stored_answer(self, batch: str, conversation_id: int, progress: Progress) -> Answer | None:
        """The answer an earlier try of this batch got (from the store, or kept here when the store failed)."""
        answer = self._unsaved.get(batch)
        if answer is not None:
            progress.stage = "save"
            answer = await self._save(batch, conversation_id, answer)
        else:
            stored = await self.store.get_outcome(batch)
            if stored is None:
                return None
            answer = Answer.from_json(stored)
        log_event(logger, "outcome_reused", conversation_id=conversation_id, idempotency_key=reply_key(answer.covers))
        return answer

    async def _ask(self, conversation: ConversationDetail, covers: int, batch: str, progress: Progress) -> Answer:
        """Ask the responder, under a model slot (the batch's work slot is given back meanwhile), and store the
        answer before anything that can fail after it."""
        context = BotContext(
            conversation_id=conversation.id,
            customer_name=conversation.contact.name if conversation.contact is not None else None,
            history=build_history(conversation.messages),
            bot_name=self.settings.chatwoot.bot_name,
        )
        progress.stage = "respond"
        slot = progress.slot
        priority = slot.priority if slot is not None else self.clock()
        if slot is not None:
            slot.give()
        try:
            async with self.model_slots.hold(priority):
                outcome = await self.responder.respond(context)
        finally:
            if slot is not None:
                await slot.take()
        answer = self._unsaved[batch] = Answer(covers, self.clock(), outcome, self.replica)
        progress.stage = "save"
        saved = await self._save(batch, conversation.id, answer)
        if saved.by != answer.by:
            # Another replica answered this batch first (this one's lease had lapsed): its post may be under way.
            self._check_settled(batch, saved)
        return saved

    async def _save(self, batch: str, conversation_id: int, answer: Answer) -> Answer:
        saved = await self.store.save_outcome(
            batch, conversation_id=conversation_id, outcome=answer.to_json(), created_at=answer.at
        )
        self._unsaved.pop(batch, None)
        return Answer.from_json(saved)

    def _check_settled(self, batch: str, answer: Answer) -> None:
        """Raise NotSettled while an earlier post of this answer may still be created by Chatwoot."""
        tried = self._uncertain.get(batch)
        if tried is None and (answer.at < self.started_at or answer.by != self.replica):
            tried = answer.at  # stored by an earlier run of the bot or another replica, which may have been posting it
        if tried is None:
            return
        until = tried + self.settings.settle_seconds
        if self.clock() < until:
            raise NotSettled(reply_key(answer.covers), until)
        log_event(logger, "reply_presumed_lost", logging.WARNING, idempotency_key=reply_key(answer.covers))

    async def _post(
        self, tools: Tools, conversation_id: int, jobs: list[Job], batch: str, answer: Answer, seen: int | None = None
    ) -> int | None:
        """Post an answer: the reply, private notes, the handoff; then close every job it covers, and return how many
        are left pending (None: not known). `seen`: the newest message the batch read, none of which is this reply
        (the send tool then looks only after it)."""
        key = reply_key(answer.covers)
        outcome = answer.outcome
        # Jobs that joined a retry after the answer was given are not covered by it: the next batch answers them.
        ids = [job.id for job in jobs if (job.message_id or 0) <= answer.covers]
        # The customer is told about a handoff even when the brain gave no reply of its own.
        visible = outcome.reply or (texts.HANDOFF_NOTICE if outcome.handoff_reason else None)
        if visible and self.replies.exceeded(conversation_id):
            await self._rate_limited(tools, conversation_id, key)
            await self.store.finish_jobs(ids, "dropped", "reply rate limit")
            return None
        if visible:
            # Every step below is idempotent, so a retry after a crash or a failure part-way repeats nothing.
            sent = await self._send(tools, conversation_id, visible, key, batch, seen)
            if sent is None:
                await self._drop(ids, conversation_id, "owner changed while sending")
                return None
            if not sent.duplicate:
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
        self._uncertain.pop(batch, None)
        # Messages the responder saw whose webhooks came in meanwhile are covered too.
        later = [job for job in await self.store.pending_jobs(conversation_id) if job.id not in ids]
        return len(await self._close_covered(conversation_id, later, answer.covers))

    async def _send(
        self,
        tools: Tools,
        conversation_id: int,
        content: str,
        key: str,
        batch: str | None = None,
        seen: int | None = None,
    ) -> SendResult | None:
        """Post a customer-visible message; None when the conversation is no longer the bot's. A failure that may
        still have created it raises UncertainPost."""
        arguments: dict[str, Any] = {"expect_owner": "bot", "idempotency_key": key}
        if seen is not None:
            arguments["seen_through"] = seen
        try:
            result = SendResult.model_validate(
                await tools.call("chatwoot_send_message", conversation_id=conversation_id, content=content, **arguments)
            )
        except ToolCallFailed as exc:
            self.records.send_failed()
            if (await self._conversation(tools, conversation_id)).owner != "bot":
                return None
            if batch is not None:
                self._uncertain[batch] = self.clock()
            raise UncertainPost(f"posting {key} failed and it may still be created: {exc.message}") from exc
        fields: dict[str, Any] = {
            "conversation_id": conversation_id,
            "idempotency_key": key,
            "reply_id": result.message.id,
            "duplicate": result.duplicate,
        }
        if self.settings.log_content:
            fields["content"] = content
        log_event(logger, "reply_already_posted" if result.duplicate else "reply_sent", **fields)
        return result

    async def _hand_off(self, tools: Tools, conversation_id: int, key: str, note: str, reason: str) -> None:
        """The handoff tool: private note, the human team, status open (as the AgentBot when its token is set)."""
        arguments: dict[str, Any] = {"conversation_id": conversation_id, "reason": note}
        arguments["idempotency_key"] = f"{key}:handoff"
        if self.settings.chatwoot.human_team_id is not None:
            arguments["team_id"] = self.settings.chatwoot.human_team_id
        await tools.call("chatwoot_hand_off", **arguments)
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
            state = replace(state, limit_handoff_sent=True)
            try:
                await self.store.put_state(state)
            except STORE_ERRORS:
                self.states.forget(conversation_id)  # it may have been written all the same
                raise
            self.states.remember(conversation_id, state)

    async def _drop(self, ids: list[int], conversation_id: int, reason: str) -> None:
        await self.store.finish_jobs(ids, "dropped", reason)
        log_event(logger, "reply_dropped", conversation_id=conversation_id, reason=reason, jobs=len(ids))


def seen_through(conversation: ConversationDetail, covers: int) -> int | None:
    """The newest message the batch read, when that read reaches back to message `covers` and holds no reply
    covering it (so no message up to it carries the reply's key); otherwise None."""
    ids = [message.id for message in conversation.messages]
    if not ids or min(ids) > covers or answered_through(conversation.messages) >= covers:
        return None
    return max(ids)
