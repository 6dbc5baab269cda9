"""Handoff tools: a person takes a conversation from the bot, and hands it back."""

from __future__ import annotations

import time
from typing import Annotated

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from chatwoot_mcp.client import ChatwootClient
from chatwoot_mcp.server import texts
from chatwoot_mcp.server.connection import Connection
from chatwoot_mcp.server.errors import Steps
from chatwoot_mcp.server.registry import tool
from chatwoot_mcp.server.tools import claims
from chatwoot_mcp.server.tools.claims import Claim
from chatwoot_mcp.server.tools.common import BOT_SOURCE_PREFIX, ConversationId
from chatwoot_mcp.server.views import ConversationSummary, conversation_summary

NoteArg = Annotated[
    str | None, Field(description="Optional private note for the team (only agents see it)", max_length=10_000)
]


class HandoffResult(BaseModel):
    conversation_id: int
    changed: bool = Field(description="False when the conversation was already in the requested hands")
    notified: bool = Field(description="True when a notice was sent to the customer")
    note_added: bool = False
    detail: str = Field(description="What happened, in one sentence")
    conversation: ConversationSummary = Field(description="The conversation after the handoff")


@tool(
    "chatwoot_take_over",
    title="Take over from the bot",
    toolset="handoff",
    read_only=False,
    destructive=True,
    idempotent=True,
    open_world=True,
)
async def take_over(
    conn: Connection,
    conversation_id: ConversationId,
    assignee_id: Annotated[
        int | None,
        Field(description="The agent who takes it (see chatwoot_list_agents); default: the token's own user", ge=1),
    ] = None,
    notify: Annotated[bool, Field(description="Tell the customer a person is taking over (default true)")] = True,
    note: NoteArg = None,
    force: Annotated[bool, Field(description="Take it even if another person already owns it (default false)")] = False,
) -> HandoffResult:
    """A person takes a conversation from the bot: assigns the agent, sets the status to open (so the bot stops
    answering), and by default tells the customer a person will continue.

    Refuses if another person already owns it, naming them, unless `force=true`. Taking a conversation that is
    already yours changes nothing and sends no second notice. When several calls take it over at the same moment,
    the first to record its claim wins: the others fail naming the winner, and only the winner tells the customer.
    Next: chatwoot_send_message to reply; chatwoot_return_to_bot to hand it back.
    """
    subject = f"conversation {conversation_id}"
    account = conn.account_id
    steps = Steps()
    async with conn.reader() as reader:
        if assignee_id is None:
            if conn.user_id is None:
                with steps.step("find the token's own user"):
                    conn.user_id = (await reader.profile.get()).id
            assignee_id = conn.user_id
        with steps.step("read the conversation", subject=subject, account_id=account):
            since = await claims.mark(reader, conversation_id)
            before = conversation_summary(await reader.conversations.get(conversation_id))
        current = before.assignee if before.assignee and before.assignee.type == "user" else None
        if current is not None and current.id != assignee_id and before.status != "resolved" and not force:
            raise ToolError(
                f"conversation {conversation_id} is already owned by {current.name or 'agent'} (agent {current.id}); "
                "nothing was changed. Pass force=true to take it anyway, or leave it to them"
            )
        if before.status == "open" and current is not None and current.id == assignee_id:
            return HandoffResult(
                conversation_id=conversation_id,
                changed=False,
                notified=False,
                detail=f"conversation {conversation_id} was already open and assigned to {current.name or assignee_id}"
                "; nothing was changed and no notice was sent",
                conversation=before,
            )
        async with conn.writer() as writer:
            if before.status != "open":
                with steps.step("set the status to open", subject=subject, account_id=account):
                    await writer.conversations.toggle_status(conversation_id, status="open")
                steps.done(f"status: {before.status} → open")
            with steps.step(f"assign agent {assignee_id}", subject=subject, account_id=account):
                agent = await writer.conversations.assign_agent(conversation_id, assignee_id)
            if agent is None:
                raise ToolError(
                    f"agent {assignee_id} is not in account {account}, so Chatwoot left conversation "
                    f"{conversation_id} unassigned; list agents (chatwoot_list_agents) to get a valid id"
                    + (f". Already applied: {'; '.join(steps.applied)}" if steps.applied else "")
                )
            agent_name = agent.available_name or agent.name or f"agent {assignee_id}"
            steps.done(f"assigned to {agent_name}")
            mine, first = await claims.post_claim(
                writer, reader, steps, conversation_id, kind="take", person_id=assignee_id,
                content=texts.TAKE_OVER_CLAIM.format(name=agent_name), since=since, account=account,
            )  # fmt: skip
            if first.message_id != mine.message_id:
                return await _lost_take_over(writer, reader, steps, conversation_id, assignee_id, first, account)
            text = (conn.settings.takeover_message or texts.TAKEOVER_MESSAGE) if notify else None
            notified = await _notify_and_note(writer, steps, conversation_id, text, note, account=account)
        return await _changed(
            reader, steps, conversation_id, f"{agent_name} took over conversation {conversation_id}",
            notified=notified, note=note, account=account,
        )  # fmt: skip


async def _lost_take_over(
    writer: ChatwootClient,
    reader: ChatwootClient,
    steps: Steps,
    conversation_id: int,
    assignee_id: int,
    first: Claim,
    account: int | None,
) -> HandoffResult:
    """Another call claimed the conversation first: give it back to that call's agent if our assignment
    overwrote theirs, and tell the caller who has it. Nothing goes to the customer from here."""
    subject = f"conversation {conversation_id}"
    with steps.step("read the conversation", subject=subject, account_id=account):
        now = conversation_summary(await reader.conversations.get(conversation_id))
    if first.person_id == assignee_id:
        return HandoffResult(
            conversation_id=conversation_id,
            changed=False,
            notified=False,
            detail=f"another call took conversation {conversation_id} over for the same agent at the same moment; "
            "no second notice was sent",
            conversation=now,
        )
    winner = f"agent {first.person_id}"
    holder = now.assignee if now.assignee and now.assignee.type == "user" else None
    if first.person_id is not None and holder is not None and holder.id == assignee_id:
        with steps.step(f"give the conversation back to agent {first.person_id}", subject=subject, account_id=account):
            agent = await writer.conversations.assign_agent(conversation_id, first.person_id)
        if agent is not None:
            winner = f"{agent.available_name or agent.name or 'agent'} (agent {first.person_id})"
    elif holder is not None and holder.id == first.person_id:
        winner = f"{holder.name or 'agent'} (agent {holder.id})"
    raise ToolError(
        f"conversation {conversation_id} was taken over by {winner} at the same moment, before this call; it stays "
        "with them and nothing was sent to the customer. Leave it to them, or call again with force=true to take it"
    )


@tool(
    "chatwoot_return_to_bot",
    title="Return to the bot",
    toolset="handoff",
    read_only=False,
    destructive=True,
    idempotent=True,
    open_world=True,
)
async def return_to_bot(
    conn: Connection,
    conversation_id: ConversationId,
    notify: Annotated[bool, Field(description="Tell the customer the assistant is back (default true)")] = True,
    note: NoteArg = None,
) -> HandoffResult:
    """Hand a conversation back to the bot: removes the assigned agent and sets the status to pending, so the bot
    answers again; by default tells the customer the assistant is back.

    Idempotent: if the conversation is already the bot's (pending, nobody assigned) nothing changes and no second
    notice is sent.
    """
    subject = f"conversation {conversation_id}"
    account = conn.account_id
    steps = Steps()
    async with conn.reader() as reader:
        with steps.step("read the conversation", subject=subject, account_id=account):
            since = await claims.mark(reader, conversation_id)
            before = conversation_summary(await reader.conversations.get(conversation_id))
        if before.owner == "bot":
            return HandoffResult(
                conversation_id=conversation_id,
                changed=False,
                notified=False,
                detail=f"conversation {conversation_id} is already with the bot; nothing was changed and no notice "
                "was sent",
                conversation=before,
            )
        async with conn.writer() as writer:
            if before.assignee is not None and before.assignee.type == "user":
                with steps.step("unassign the agent", subject=subject, account_id=account):
                    await writer.conversations.assign_agent(conversation_id, None)
                steps.done("agent unassigned")
            mine, first = await claims.post_claim(
                writer, reader, steps, conversation_id, kind="return", person_id=conn.user_id,
                content=texts.RETURN_CLAIM, since=since, account=account,
            )  # fmt: skip
            won = first.message_id == mine.message_id
            # The notice goes out before the status turns pending, and carries the bot's source prefix: a person's
            # message in a pending conversation is how the bot recognises a human takeover, and this is not one.
            text = texts.return_message(conn.settings.return_message, conn.settings.bot_name) if notify else None
            source = f"{BOT_SOURCE_PREFIX}return:{conversation_id}:{time.time_ns()}"
            notified = won and await _notify_and_note(
                writer, steps, conversation_id, text, note, account=account, source=source
            )
            if before.status != "pending":
                with steps.step("set the status to pending", subject=subject, account_id=account):
                    await writer.conversations.toggle_status(conversation_id, status="pending")
                steps.done(f"status: {before.status} → pending")
        if not won:
            with steps.step("read the conversation back", subject=subject, account_id=account):
                after = conversation_summary(await reader.conversations.get(conversation_id))
            return HandoffResult(
                conversation_id=conversation_id,
                changed=False,
                notified=False,
                detail=f"another call handed conversation {conversation_id} back to the bot at the same moment; "
                "no second notice was sent",
                conversation=after,
            )
        return await _changed(
            reader, steps, conversation_id, f"conversation {conversation_id} was handed back to "
            f"{conn.settings.bot_name}", notified=notified, note=note, account=account,
        )  # fmt: skip


async def _notify_and_note(
    writer: ChatwootClient,
    steps: Steps,
    conversation_id: int,
    text: str | None,
    note: str | None,
    *,
    account: int | None,
    source: str | None = None,
) -> bool:
    """Send the customer notice (when `text` is given) and the private note; True when the customer was told."""
    subject = f"conversation {conversation_id}"
    if text is not None:
        with steps.step("send the notice to the customer", subject=subject, account_id=account):
            await writer.messages.create(conversation_id, text, source_id=source)
        steps.done("customer notified")
    if note:
        with steps.step("add the private note", subject=subject, account_id=account):
            await writer.messages.create(conversation_id, note, private=True)
        steps.done("private note added")
    return text is not None


async def _changed(
    reader: ChatwootClient,
    steps: Steps,
    conversation_id: int,
    detail: str,
    *,
    notified: bool,
    note: str | None,
    account: int | None,
) -> HandoffResult:
    """The result of a handoff that changed something, with the conversation as Chatwoot now has it."""
    with steps.step("read the conversation back", subject=f"conversation {conversation_id}", account_id=account):
        after = conversation_summary(await reader.conversations.get(conversation_id))
    return HandoffResult(
        conversation_id=conversation_id,
        changed=True,
        notified=notified,
        note_added=bool(note),
        detail=detail + (" and the customer was told" if notified else ""),
        conversation=after,
    )
