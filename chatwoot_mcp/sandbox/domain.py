"""State transitions with Chatwoot's side effects: activity messages, reopen rules and webhook events."""

from __future__ import annotations

import uuid
from typing import Any

from . import activity, event_payloads, listeners, message_templates, render, reporting
from .campaign_records import Campaign
from .contact_writes import ContactWrites
from .errors import unprocessable
from .listeners import Builder
from .seed import Secrets, SeedOptions, build_store
from .state import (
    ACTIVITY,
    INCOMING,
    OUTGOING,
    AgentBot,
    Attachment,
    Clock,
    Contact,
    ContactInbox,
    Conversation,
    Message,
    Store,
    User,
)
from .team_assignment import team_assignee
from .webhooks import Dispatcher, Job, delivery_error

Actor = User | AgentBot | None

TRACKED = (
    "team_id",
    "assignee_id",
    "assignee_agent_bot_id",
    "status",
    "snoozed_until",
    "custom_attributes",
    "label_list",
    "waiting_since",
    "first_reply_created_at",
    "priority",
)
TIME_KEYS = {"snoozed_until", "waiting_since", "first_reply_created_at"}
FLOOD_LIMIT = 200


def _snapshot(conv: Conversation) -> dict[str, Any]:
    values = {key: getattr(conv, key) for key in TRACKED if key != "label_list"}
    values["label_list"] = list(conv.labels)
    values["custom_attributes"] = dict(conv.custom_attributes)
    return values


class Engine(ContactWrites):
    """The sandbox's account plus the rules Chatwoot runs when something changes."""

    def __init__(self, keys: Secrets, options: SeedOptions, dispatcher: Dispatcher, clock: Clock | None = None) -> None:
        self.keys = keys
        self.options = options
        self.clock = clock or Clock()
        self.dispatcher = dispatcher
        self.store: Store = build_store(keys, options, self.clock)

    def reset(self) -> None:
        self.clock.offset = 0.0
        self.dispatcher.reset()
        self.store = build_store(self.keys, self.options, self.clock)

    # ---- events ---------------------------------------------------------------------------------

    def emit(self, event: str, conv: Conversation, build: Builder, message_id: int | None = None) -> None:
        listeners.emit(self.store, self.dispatcher, event, conv, build, message_id)

    def emit_account_only(self, event: str, account_id: int, build: Builder) -> None:
        listeners.emit_account_only(self.store, self.dispatcher, event, account_id, build)

    def _conversation_event(self, event: str, conv: Conversation, changed: Any = None, *, with_changes: bool) -> None:
        extra: dict[str, Any] = {"event": event}
        if with_changes:
            extra["changed_attributes"] = changed
        self.emit(event, conv, event_payloads.conversation(self.store, conv, **extra))

    def typing_event(self, event: str, conv: Conversation, user: dict[str, Any] | None, is_private: bool) -> None:
        self.emit(event, conv, event_payloads.typing(self.store, conv, event, user, is_private))

    def message_event(self, event: str, message: Message) -> None:
        if message.message_type == ACTIVITY:
            return
        conv = self.store.conversations[message.conversation_id]
        self.emit(event, conv, event_payloads.message(self.store, message, event), message.id)

    # ---- saving a conversation ------------------------------------------------------------------

    def commit(self, conv: Conversation, before: dict[str, Any], actor: Actor) -> list[str]:
        """After a save: bump updated_at, write activity messages, fire events. Returns changed keys."""
        after = _snapshot(conv)
        changed = [key for key in TRACKED if before[key] != after[key]]
        if not changed:
            return []
        previous_updated = conv.updated_at
        conv.updated_at = max(self.clock.now(), previous_updated + 0.001)
        if isinstance(actor, (User, AgentBot)):
            for text in activity.texts(self.store, conv, before, changed, actor.name):
                self.add_activity(conv, text)
        diff: list[dict[str, Any]] = []
        for key in changed:
            old, new = before[key], after[key]
            if key in TIME_KEYS:
                old, new = render.iso(old), render.iso(new)
            diff.append({key: {"previous_value": old, "current_value": new}})
        updated = {"previous_value": render.iso(previous_updated), "current_value": render.iso(conv.updated_at)}
        diff.append({"updated_at": updated})
        if "status" in changed:
            reporting.status_changed(self.store, conv)
            if conv.status == "open":
                self._conversation_event("conversation_opened", conv, with_changes=False)
            elif conv.status == "resolved":
                self._conversation_event("conversation_resolved", conv, with_changes=False)
            # Chatwoot passes `status_change` after the save, which Rails has already cleared: null
            self._conversation_event("conversation_status_changed", conv, None, with_changes=True)
        self._conversation_event("conversation_updated", conv, diff, with_changes=True)
        return changed

    def add_activity(self, conv: Conversation, text: str) -> Message:
        now = self.clock.now()
        return self._append(conv, text, ACTIVITY, None, now)

    def _append(
        self,
        conv: Conversation,
        content: str | None,
        kind: int,
        sender: tuple[str, int] | None,
        now: float,
        **extra: Any,
    ) -> Message:
        msg_id = self.store.next_id("message", 1001)
        sender_type, sender_id = sender if sender else (None, None)
        msg = Message(
            msg_id,
            conv.account_id,
            conv.inbox_id,
            conv.id,
            content,
            kind,
            now,
            now,
            sender_type=sender_type,
            sender_id=sender_id,
            **extra,
        )  # type: ignore[arg-type]
        self.store.messages[msg_id] = msg
        conv.messages.append(msg)
        conv.last_activity_at = now
        return msg

    # ---- operations -----------------------------------------------------------------------------

    def set_status(self, conv: Conversation, status: str, actor: Actor, snoozed_until: float | None = None) -> None:
        before = _snapshot(conv)
        conv.status = status
        if status == "snoozed":
            conv.snoozed_until = snoozed_until
        else:
            conv.snoozed_until = None  # before_save :ensure_snooze_until_reset
        self.commit(conv, before, actor)

    def toggle(self, conv: Conversation, actor: Actor) -> None:
        new = "resolved" if conv.status == "open" else "open"
        self.set_status(conv, new, actor)

    def bot_handoff(self, conv: Conversation, bot: AgentBot) -> None:
        # two saves, as in Conversation#bot_handoff!: update(waiting_since:) then open!
        if conv.waiting_since is None:
            before = _snapshot(conv)
            conv.waiting_since = self.clock.now()
            self.commit(conv, before, bot)
        self.set_status(conv, "open", bot)
        reporting.bot_handoff(self.store, conv)

    def assign_user(self, conv: Conversation, user: User | None, actor: Actor) -> None:
        before = _snapshot(conv)
        conv.assignee_id = user.id if user else None
        if user is not None:
            conv.assignee_agent_bot_id = None  # reset_agent_bot_when_assignee_present
        self.commit(conv, before, actor)

    def assign_bot(self, conv: Conversation, bot: AgentBot | None, actor: Actor) -> None:
        before = _snapshot(conv)
        conv.assignee_agent_bot_id = bot.id if bot else None
        if bot is not None:
            conv.assignee_id = None
        self.commit(conv, before, actor)

    def assign_team(self, conv: Conversation, team_id: int | None, actor: Actor) -> None:
        before = _snapshot(conv)
        conv.team_id = team_id
        if not conv.assigned:
            conv.assignee_id = team_assignee(self.store, conv)
        self.commit(conv, before, actor)

    def set_labels(self, conv: Conversation, labels: list[str], actor: Actor) -> None:
        before = _snapshot(conv)
        conv.labels = labels
        self.commit(conv, before, actor)

    def set_priority(self, conv: Conversation, priority: str | None, actor: Actor) -> None:
        before = _snapshot(conv)
        conv.priority = priority
        self.commit(conv, before, actor)

    def set_custom_attributes(self, conv: Conversation, values: dict[str, Any], actor: Actor) -> None:
        before = _snapshot(conv)
        conv.custom_attributes = values
        self.commit(conv, before, actor)

    def create_message(
        self,
        conv: Conversation,
        *,
        content: str | None,
        message_type: int,
        sender: tuple[str, int] | None,
        private: bool = False,
        content_type: str = "text",
        content_attributes: dict[str, Any] | None = None,
        source_id: str | None = None,
        actor: Actor = None,
        attachments: list[Attachment] | None = None,
    ) -> Message:
        """A contact, agent or bot message with Message's callbacks: reopen, waiting time, events. `actor` is who
        made the request (Current.user), named in the activity when an incoming message reopens the conversation."""
        now = self.clock.now()
        window = conv.recent_creations
        while window and window[0] <= now - 60:
            window.popleft()
        if len(window) >= FLOOD_LIMIT:
            raise unprocessable("Validation failed: Too many messages")
        window.append(now)
        waiting_before, first_before = conv.waiting_since, conv.first_reply_created_at
        msg = self._append(
            conv,
            content,
            message_type,
            sender,
            now,
            private=private,
            content_type=content_type,
            content_attributes=content_attributes or {},
            source_id=source_id,
            attachments=attachments or [],
        )
        for attachment in msg.attachments:
            attachment.message_id = msg.id
        if message_type == INCOMING:
            self.store.contacts[conv.contact_id].last_activity_at = now
            before = _snapshot(conv)
            reopened_by_contact = False
            if self.store.contacts[conv.contact_id].blocked:
                pass  # Message#reopen_conversation: `return if conversation.muted?` (a blocked contact)
            elif conv.status == "snoozed":
                conv.status = "open"
                conv.snoozed_until = None
            elif conv.status == "resolved" and self.store.inboxes[conv.inbox_id].agent_bot_id:
                conv.status = "pending"  # the bot takes it back
            elif conv.status == "resolved":
                conv.status = "open"
                # Message#reopened_by_contact?: the contact becomes Current.executed_by, whose text wins over a name
                reopened_by_contact = not private and sender is not None and sender[0] == "Contact"
            self.commit(conv, before, None if reopened_by_contact else actor)
            if reopened_by_contact:
                self.add_activity(conv, activity.SYSTEM_REOPEN_TEXT)
        reporting.message_created(self.store, conv, msg, first_reply=first_before is None, waiting_since=waiting_before)
        # Message#dispatch_create_events: MESSAGE_CREATED first, then the reply times' update
        self.message_event("message_created", msg)
        before = _snapshot(conv)
        if message_type == INCOMING and conv.waiting_since is None:
            conv.waiting_since = now
        elif message_type == OUTGOING and not private and sender is not None:
            if sender[0] == "User" and conv.first_reply_created_at is None:
                conv.first_reply_created_at = now
            if sender[0] in {"User", "AgentBot"}:
                conv.waiting_since = None
        self.commit(conv, before, None)
        # after_create_commit runs send_reply, then execute_message_template_hooks
        message_templates.run(self, conv, msg)
        return msg

    def create_conversation(
        self,
        *,
        inbox_id: int,
        contact: Contact,
        contact_inbox: ContactInbox,
        status: str = "open",
        assignee_id: int | None = None,
        team_id: int | None = None,
        additional_attributes: dict[str, Any] | None = None,
        custom_attributes: dict[str, Any] | None = None,
        snoozed_until: float | None = None,
        campaign: Campaign | None = None,
    ) -> Conversation:
        now = self.clock.now()
        # before_create :determine_conversation_status overrides the builder; a campaign's conversation is the bot's
        # only when the campaign has no sender (handle_campaign_status)
        if self.store.inboxes[inbox_id].agent_bot_id is not None and (campaign is None or campaign.sender_id is None):
            status = "pending"
        account_id = self.store.inboxes[inbox_id].account_id
        conv = Conversation(
            id=self.store.next_id("conversation", 101),
            display_id=self.store.next_id(f"display:{account_id}"),
            account_id=account_id,
            inbox_id=inbox_id,
            contact_id=contact.id,
            contact_inbox_id=contact_inbox.id,
            uuid=str(uuid.uuid4()),
            status=status,
            created_at=now,
            updated_at=now,
            last_activity_at=now,
            waiting_since=now,  # before_create :ensure_waiting_since
            assignee_id=assignee_id,
            team_id=team_id,
            additional_attributes=additional_attributes or {},
            custom_attributes=custom_attributes or {},
            snoozed_until=snoozed_until if status == "snoozed" else None,
            campaign_id=campaign.id if campaign is not None else None,
        )
        self.store.add_conversation(conv)
        payload = event_payloads.conversation(self.store, conv, event="conversation_created")
        self.emit("conversation_created", conv, payload)
        return conv

    async def on_delivery_failure(self, job: Job) -> None:
        """Webhooks::Trigger after a failed message event: an API inbox's marks the message failed with the error
        (Messages::StatusUpdateService; an already failed one is left alone), a bot's opens a pending conversation."""
        if job.kind == "api_inbox":
            msg = self.store.messages.get(job.message_id or 0)
            if msg is not None and msg.status != "failed":
                msg.status = "failed"
                msg.content_attributes = {**msg.content_attributes, "external_error": delivery_error(job.record)}
                msg.updated_at = self.clock.now()
                self.message_event("message_updated", msg)
            return
        conv = self.store.conversations.get(job.conversation_id or 0)
        if conv is None or conv.status != "pending":
            return
        self.set_status(conv, "open", None)
        self.add_activity(conv, activity.BOT_FAILURE_TEXT)

    def advance_clock(self, seconds: float) -> None:
        """Move time on and run ReopenSnoozedConversationsJob for snoozes that have expired."""
        self.clock.offset += seconds
        now = self.clock.now()
        for conv in list(self.store.conversations.values()):
            if conv.status == "snoozed" and conv.snoozed_until is not None and conv.snoozed_until <= now:
                self.set_status(conv, "open", None)
