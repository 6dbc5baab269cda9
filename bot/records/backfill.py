"""`chatwoot-bot mirror --backfill`: read Chatwoot's API and put into the mirror what the webhooks missed (a bot
that was down, a mirror that lost writes). The same ledger rules apply, so running it twice changes nothing.

It reads with the typed client rather than the MCP tools: it needs Chatwoot's `updated_at` of each conversation
(to tell a newer state from an older one), which the tools' views leave out."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.records.sync import sender_type
from chatwoot_mcp.client import ChatwootClient
from chatwoot_mcp.client.models import Conversation, Message
from chatwoot_mcp.records.mirror import CustomerRow, MessageRow, Mirror
from chatwoot_mcp.records.model import Observation, hands_of

# Chatwoot's activity message when it opens a conversation after its last delivery to the bot failed
# (Webhooks::Trigger#update_conversation_status, config/locales/en.yml).
BOT_FAILURE_ACTIVITY = "due to an error with the agent bot"
MAX_PAGES = 10_000


@dataclass
class BackfillReport:
    conversations: int = 0
    records: int = 0
    messages: int = 0


def observation(conversation: Conversation, messages: list[Message], now: float) -> Observation | None:
    assignee = conversation.meta.assignee
    kind = conversation.meta.assignee_type or (
        None if assignee is None else ("AgentBot" if assignee.type == "agent_bot" else "User")
    )
    hands = hands_of(conversation.status, kind, assignee.id if assignee is not None else None)
    if hands is None:
        return None
    updated = float(conversation.updated_at) if conversation.updated_at is not None else None
    obs = Observation(
        conversation_id=conversation.id,
        hands=hands,
        at=updated if updated is not None else now,
        source="backfill",
        chatwoot_updated_at=updated,
        status=conversation.status,
        assigned_to=assignee.id if assignee is not None and kind == "User" else None,
    )
    activities = [m for m in messages if m.message_type == "activity"]
    if hands == "pending" and activities and BOT_FAILURE_ACTIVITY in (activities[-1].content or ""):
        obs = replace(obs, trigger="webhook_failed", who_type="chatwoot")
    return obs


def message_rows(conversation_id: int, messages: list[Message]) -> list[MessageRow]:
    rows = []
    for message in messages:
        sender = message.sender.model_dump() if message.sender is not None else {}
        kind = sender_type(message.message_type, sender, message.source_id)
        if kind is None or message.private or message.created_at is None:
            continue
        rows.append(MessageRow(message.id, conversation_id, kind, message.content, float(message.created_at)))  # type: ignore[arg-type]
    return rows


async def backfill(client: ChatwootClient, mirror: Mirror, *, since: float | None, now: float) -> BackfillReport:
    """Every conversation with activity since `since` (all when None), newest first, with its latest messages."""
    report = BackfillReport()
    for page in range(1, MAX_PAGES):
        listed = await client.conversations.list(status="all", page=page, sort_by="last_activity_at_desc")
        if not listed.items:
            break
        for conversation in listed.items:
            if since is not None and (conversation.last_activity_at or 0) < since:
                return report
            messages = (await client.messages.list(conversation.id)).items
            obs = observation(conversation, messages, now)
            if obs is not None:
                decisions = await mirror.apply_all([obs])
                report.records += sum(1 for d in decisions if d.kind == "new")
            sender = conversation.meta.sender
            if sender is not None:
                await mirror.upsert_customers([CustomerRow(sender.id, sender.name, sender.email, sender.phone_number)])
            rows = message_rows(conversation.id, messages)
            await mirror.upsert_messages(rows)
            report.messages += len(rows)
            report.conversations += 1
    return report
