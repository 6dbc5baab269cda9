"""The Store protocol: accepted events, dedup keys, jobs and per-conversation state, whatever the backend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

JobKind = Literal["reply", "takeover"]
JobStatus = Literal["pending", "done", "dropped", "failed"]
# answer: normal work; apology: the responder failed, apologise and hand off; failsafe: too many
# failures, hand off with a private note.
JobMode = Literal["answer", "apology", "failsafe"]


class StoreLockedError(Exception):
    """Another process holds the SQLite database: SQLite serves one bot process (PostgreSQL serves any number)."""

    def __init__(self, database: str, advice: str = "run one bot per database") -> None:
        super().__init__(f"another chatwoot-bot process is using {database}; {advice}")
        self.database = database


@dataclass(frozen=True)
class AcceptedEvent:
    """A webhook accepted by intake, as received (the body is kept for audit and replay)."""

    event: str
    conversation_id: int | None
    message_id: int | None
    delivery_id: str | None
    received_at: float
    body: bytes


@dataclass(frozen=True)
class NewJob:
    kind: JobKind
    conversation_id: int
    message_id: int | None
    created_at: float


@dataclass(frozen=True)
class Job:
    id: int
    kind: JobKind
    conversation_id: int
    message_id: int | None
    created_at: float
    status: JobStatus
    mode: JobMode
    attempts: int
    not_before: float
    last_error: str | None


@dataclass(frozen=True)
class ConversationState:
    """What the bot knows about one conversation from the webhooks it received."""

    conversation_id: int
    status: str | None = None
    human_active: bool = False  # a human agent spoke in this pending stretch
    limit_handoff_sent: bool = False  # the reply-rate handoff note was posted (only once)
    updated_at: float = 0.0


class Store(Protocol):
    """Durable state of the sidecar; every method is atomic."""

    name: str

    async def start(self) -> None:
        """Open the database and take its one-process lock (StoreLockedError when held); no-op when started."""

    async def close(self) -> None:
        """Release the lock and the connections; no-op when not started."""

    async def ping(self) -> None:
        """Raise when the backend cannot be reached."""

    async def accept(
        self,
        event: AcceptedEvent,
        *,
        dedup_keys: tuple[str, ...],
        job: NewJob | None = None,
        state: ConversationState | None = None,
        drop_pending_replies: bool = False,
    ) -> bool:
        """Store the event, its dedup keys, an optional job and state in one transaction.

        Returns False (and stores nothing) when any dedup key was seen before. With
        `drop_pending_replies`, pending reply jobs of the conversation are marked dropped (human takeover).
        """

    async def get_state(self, conversation_id: int) -> ConversationState | None: ...

    async def all_states(self, limit: int) -> list[ConversationState] | None:
        """Every conversation's state, or None when there are more than `limit` of them."""

    async def put_state(self, state: ConversationState) -> None: ...

    async def pending_jobs(self, conversation_id: int | None = None) -> list[Job]:
        """Unfinished jobs, oldest first; all conversations when `conversation_id` is None."""

    async def finish_jobs(self, job_ids: list[int], status: JobStatus, note: str | None = None) -> None: ...

    async def fail_jobs(self, job_ids: list[int], *, error: str, mode: JobMode, not_before: float) -> None:
        """Count one more failed attempt, remember the error and when to try again."""

    async def save_outcome(
        self, key: str, *, conversation_id: int, outcome: dict[str, Any], created_at: float
    ) -> dict[str, Any]:
        """Keep a responder's answer (JSON-able) under a batch's idempotency key; the first one saved wins and
        is returned, so a retry repeats what was decided rather than asking the responder again."""

    async def get_outcome(self, key: str) -> dict[str, Any] | None: ...

    async def prune(self, before: float) -> int:
        """Forget events, dedup keys, finished jobs and outcomes older than `before` (outcomes of a conversation
        with pending jobs are kept); returns the rows deleted."""

    async def count_jobs(self, status: JobStatus | None = None) -> int: ...

    async def count_events(self) -> int: ...
