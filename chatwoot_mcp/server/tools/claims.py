"""One winner when several callers take over (or return) the same conversation at once.

Chatwoot has no conditional update, so each caller, after its writes, posts a private "claim" note whose
source_id names the kind and the person; message ids come from one database sequence, so the first claim after
the point the caller started from is the winner, and every caller reads the same answer. The rule and why it does
not use Chatwoot's own assignment activity messages are in docs/architecture.md.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from chatwoot_mcp.client import ChatwootClient
from chatwoot_mcp.client.messages import AFTER_PAGE_SIZE
from chatwoot_mcp.client.models import Message
from chatwoot_mcp.server.errors import Steps

ClaimKind = Literal["take", "return"]
CLAIM_PREFIX = "handoff-claim:"


@dataclass(frozen=True)
class Claim:
    message_id: int
    kind: ClaimKind
    person_id: int | None
    source_id: str


def claim_source(kind: ClaimKind, person_id: int | None) -> str:
    """A source_id no other call can produce: kind, person (or "-") and a random part."""
    return f"{CLAIM_PREFIX}{kind}:{person_id if person_id is not None else '-'}:{uuid.uuid4().hex}"


def parse_claim(message: Message) -> Claim | None:
    """The claim a message carries, or None for any other message (customer text never counts: not private)."""
    source = message.source_id or ""
    if not message.private or not source.startswith(CLAIM_PREFIX):
        return None
    parts = source[len(CLAIM_PREFIX) :].split(":")
    if len(parts) != 3 or parts[0] not in ("take", "return"):
        return None
    kind: ClaimKind = "take" if parts[0] == "take" else "return"
    person = int(parts[1]) if parts[1].isdigit() else None
    return Claim(message.id, kind, person, source)


async def mark(reader: ChatwootClient, conversation_id: int) -> int:
    """The newest message id now: read before the conversation, so that any claim this caller's read of the
    conversation could have missed comes after it."""
    page = await reader.messages.list(conversation_id)
    return page.items[-1].id if page.items else 0


async def first_claim(reader: ChatwootClient, conversation_id: int, kind: ClaimKind, since: int, mine: int) -> Claim:
    """The earliest claim of `kind` after message `since`; the search ends at the caller's own claim `mine`."""
    after = since
    while True:
        page = await reader.messages.list(conversation_id, after=after)
        for message in page.items:
            claim = parse_claim(message)
            if claim is not None and claim.kind == kind:
                return claim
        if not page.items or page.items[-1].id >= mine or len(page.items) < AFTER_PAGE_SIZE:
            # Our own claim was not listed (deleted?): treat ours as first rather than loop.
            return Claim(mine, kind, None, "")
        after = page.items[-1].id


async def post_claim(
    writer: ChatwootClient,
    reader: ChatwootClient,
    steps: Steps,
    conversation_id: int,
    *,
    kind: ClaimKind,
    person_id: int | None,
    content: str,
    since: int,
    account: int | None,
) -> tuple[Claim, Claim]:
    """Post this caller's claim and find the first one; returns (mine, first)."""
    subject = f"conversation {conversation_id}"
    source = claim_source(kind, person_id)
    with steps.step("record the claim note", subject=subject, account_id=account):
        message = await writer.messages.create(conversation_id, content, private=True, source_id=source)
    mine = Claim(message.id, kind, person_id, source)
    with steps.step("read the claim notes", subject=subject, account_id=account):
        first = await first_claim(reader, conversation_id, kind, since, mine.message_id)
    return mine, first
