"""The mirror database: Chatwoot's conversations, messages and customers under the design document's names, the
ledger as `handoff_events`, and the bot's samples (acknowledgement times, sends) for the daily figures.

`build_mirror(url)`: `sqlite:///path` (the default, embedded) or `postgresql://…[?schema=name]` (PostgreSQL or
Supabase; it may be the bot's own database). Chatwoot stays the source of truth: every write is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from chatwoot_mcp.records.ledger import Decision
from chatwoot_mcp.records.model import Observation, Record, State

SenderType = Literal["customer", "ai", "human"]
SampleKind = Literal["ack", "send", "reply"]


@dataclass(frozen=True)
class MessageRow:
    chatwoot_message_id: int
    chatwoot_conversation_id: int
    sender_type: SenderType
    content: str | None
    created_at: float


@dataclass(frozen=True)
class CustomerRow:
    chatwoot_contact_id: int
    name: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class Sample:
    """ack: a webhook acknowledged in `value` s; send: a message the bot posted (`ok`); reply: the time from a
    customer's message to the bot's answer (`value` s). `count` such samples in the minute starting `at`."""

    at: float
    kind: SampleKind
    value: float | None = None
    ok: bool = True
    count: int = 1


class Mirror(Protocol):
    name: str

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def apply(self, obs: Observation) -> Decision: ...
    async def apply_all(self, observations: list[Observation]) -> list[Decision]: ...
    async def write_batch(
        self,
        observations: list[Observation],
        customers: list[CustomerRow],
        messages: list[MessageRow],
        samples: list[Sample],
    ) -> list[Decision]: ...
    async def upsert_messages(self, rows: list[MessageRow]) -> None: ...
    async def upsert_customers(self, rows: list[CustomerRow]) -> None: ...
    async def add_samples(self, rows: list[Sample]) -> None: ...
    async def state(self, conversation_id: int) -> State | None: ...
    async def records(
        self, conversation_id: int | None = None, since: float = 0.0, until: float = 2**62
    ) -> list[Record]: ...
    async def samples(self, since: float, until: float) -> list[Sample]: ...
    async def prune_samples(self, before: float) -> int: ...
    async def message_counts(self, since: float, until: float) -> dict[str, int]: ...
    async def change_counts(self) -> list[tuple[str | None, str, str, int]]: ...


class MirrorURLError(ValueError):
    pass


def build_mirror(url: str) -> Mirror:
    if url.startswith("sqlite:///"):
        from chatwoot_mcp.records.mirror_sqlite import SQLiteMirror

        return SQLiteMirror(url.removeprefix("sqlite:///"))
    if url.startswith(("postgresql://", "postgres://")):
        from chatwoot_mcp.records.mirror_postgres import PostgresMirror

        return PostgresMirror(url)
    raise MirrorURLError("MIRROR_DATABASE_URL must start with sqlite:/// or postgresql://")


def describe_url(url: str) -> str:
    """The URL without its password, for log lines and errors."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return urlunsplit(parts._replace(query=""))
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc, query=""))
