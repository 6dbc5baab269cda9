"""chatwoot_hand_off: the bot (or an assistant) hands a conversation to the people, the one copy of that logic."""

from __future__ import annotations

import time
from typing import Annotated

from pydantic import BaseModel, Field

from chatwoot_mcp.server import texts
from chatwoot_mcp.server.connection import Connection
from chatwoot_mcp.server.errors import Steps
from chatwoot_mcp.server.registry import tool
from chatwoot_mcp.server.tools.common import BOT_SOURCE_PREFIX, ConversationId
from chatwoot_mcp.server.tools.messages import MAX_CONTENT, earlier_copy
from chatwoot_mcp.server.views import ConversationSummary, conversation_summary


class HandOffResult(BaseModel):
    conversation_id: int
    changed: bool = Field(description="False when a repeat found everything already done")
    as_bot: bool = Field(description="True when done with the AgentBot's token, so Chatwoot counts a bot handoff")
    notified: bool = Field(description="True when a notice was sent to the customer by this call")
    note_added: bool = Field(description="False when the note with this idempotency_key was already there")
    detail: str = Field(description="What happened, in one sentence")
    conversation: ConversationSummary = Field(description="The conversation after the handoff")


@tool(
    "chatwoot_hand_off",
    title="Hand off to a person",
    toolset="handoff",
    read_only=False,
    destructive=True,
    idempotent=True,
    open_world=True,
)
async def hand_off(
    conn: Connection,
    conversation_id: ConversationId,
    reason: Annotated[
        str,
        Field(
            description="Private note for the team: why a person is needed and what the customer wants",
            min_length=1,
            max_length=MAX_CONTENT,
        ),
    ],
    team_id: Annotated[
        int | None,
        Field(
            description="Team that receives it (see chatwoot_list_teams); default: the server's "
            "CHATWOOT_HUMAN_TEAM_ID, or none",
            ge=1,
        ),
    ] = None,
    notify: Annotated[bool, Field(description="Tell the customer a person will continue (default false)")] = False,
    idempotency_key: Annotated[
        str | None,
        Field(
            description="A key unique to this handoff: a repeat with it adds no second note or notice",
            min_length=1,
            max_length=200,
        ),
    ] = None,
) -> HandOffResult:
    """Hand a conversation from the bot to the people: adds a private note with the reason, puts it in the
    team's queue, and sets the status open so the bot stops answering; optionally tells the customer.

    With the AgentBot's token configured (CHATWOOT_BOT_TOKEN) it acts as the bot, and Chatwoot counts a bot
    handoff in its reports. Nobody is assigned: a person takes it with chatwoot_take_over. A conversation that
    is not pending keeps its status, and its team unless it has none. Pass an `idempotency_key` when the call
    may be repeated.
    """
    subject = f"conversation {conversation_id}"
    account = conn.account_id
    team = team_id if team_id is not None else conn.settings.human_team_id
    steps = Steps()
    async with conn.reader() as reader, conn.bot_writer() as writer:
        with steps.step("read the conversation", subject=subject, account_id=account):
            before = conversation_summary(await reader.conversations.get(conversation_id))
        notified = False
        if notify:
            source = f"{idempotency_key}:notice" if idempotency_key else f"{BOT_SOURCE_PREFIX}handoff:{time.time_ns()}"
            with steps.step("check for an earlier notice", subject=subject, account_id=account):
                sent = idempotency_key is not None and await earlier_copy(reader, conversation_id, source) is not None
            if not sent:
                text = conn.settings.takeover_message or texts.TAKEOVER_MESSAGE
                with steps.step("send the notice to the customer", subject=subject, account_id=account):
                    await writer.messages.create(conversation_id, text, source_id=source)
                steps.done("customer notified")
                notified = True
        note_added = True
        if idempotency_key is not None:
            with steps.step("check for an earlier note", subject=subject, account_id=account):
                note_added = await earlier_copy(reader, conversation_id, idempotency_key) is None
        if note_added:
            with steps.step("add the private note", subject=subject, account_id=account):
                await writer.messages.create(conversation_id, reason, private=True, source_id=idempotency_key)
            steps.done("private note added")
        # The team is set on the way from the bot (pending) or when there is none; a team people chose stays.
        person = before.assignee is not None and before.assignee.type == "user"
        current_team = before.team.id if before.team is not None else None
        team_set = (
            team is not None and not person and current_team != team
            and (before.status == "pending" or current_team is None)
        )  # fmt: skip
        if team_set and team is not None:
            with steps.step(f"assign team {team}", subject=subject, account_id=account):
                await writer.conversations.assign_team(conversation_id, team)
            steps.done(f"team {team}")
        opened = before.status == "pending"
        if opened:
            # With the AgentBot's token, pending → open is Chatwoot's bot handoff (reported as such).
            with steps.step("set the status to open", subject=subject, account_id=account):
                await writer.conversations.toggle_status(conversation_id, status="open")
            steps.done("status: pending → open")
        with steps.step("read the conversation back", subject=subject, account_id=account):
            after = conversation_summary(await reader.conversations.get(conversation_id))
    changed = notified or note_added or team_set or opened
    done = "; ".join(steps.applied) if steps.applied else "nothing new (a repeat of an earlier handoff)"
    kept = "" if opened or before.status == "pending" else f"; it was {before.status}, so its status was kept"
    return HandOffResult(
        conversation_id=conversation_id,
        changed=changed,
        as_bot=conn.settings.bot_token is not None,
        notified=notified,
        note_added=note_added,
        detail=f"conversation {conversation_id} handed off to the people: {done}{kept}",
        conversation=after,
    )
