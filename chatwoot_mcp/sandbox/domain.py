"""State transitions with Chatwoot's side effects: activity messages, reopen rules and webhook events."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from . import render, reporting
from .errors import unprocessable
from .seed import Secrets, SeedOptions, build_store
from .state import (
    ACTIVITY,
    INCOMING,
    OUTGOING,
    AgentBot,
    Clock,
    Contact,
    ContactInbox,
    Conversation,
    Message,
    Store,
    User,
)
from .webhooks import Dispatcher, Job

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
BOT_EVENTS = frozenset(
    {
        "message_created",
        "message_updated",
        "conversation_status_changed",
        "conversation_updated",
        "conversation_opened",
        "conversation_resolved",
        "webwidget_triggered",
    }
)
ACCOUNT_EVENTS = frozenset(
    {
        "conversation_created",
        "conversation_status_changed",
        "conversation_updated",
        "message_created",
        "message_updated",
        "webwidget_triggered",
        "conversation_typing_on",
        "conversation_typing_off",
        "contact_created",
        "contact_updated",
    }
)
FLOOD_LIMIT = 200
BOT_FAILURE_TEXT = "Conversation was marked open by system due to an error with the agent bot."


def _snapshot(conv: Conversation) -> dict[str, Any]:
    values = {key: getattr(conv, key) for key in TRACKED if key != "label_list"}
    values["label_list"] = list(conv.labels)
    values["custom_attributes"] = dict(conv.custom_attributes)
    return values


class Engine:
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

    def _bots_for(self, conv: Conversation) -> list[AgentBot]:
        found: list[AgentBot] = []
        for bot_id in (conv.assignee_agent_bot_id, self.store.inboxes[conv.inbox_id].agent_bot_id):
            bot = self.store.bots.get(bot_id) if bot_id is not None else None
            if bot is not None and bot.outgoing_url and bot not in found:
                found.append(bot)
        return found

    def emit(self, event: str, conv: Conversation, payload: dict[str, Any], message_id: int | None = None) -> None:
        def submit(kind: str, url: str, secret: str | None) -> None:
            self.dispatcher.submit(
                kind=kind,
                url=url,
                secret=secret,
                event=event,
                payload=payload,
                conversation_id=conv.id,
                display_id=conv.display_id,
                message_id=message_id,
            )

        if event in BOT_EVENTS:
            for bot in self._bots_for(conv):
                assert bot.outgoing_url is not None
                submit("agent_bot", bot.outgoing_url, bot.secret)
        if event in ACCOUNT_EVENTS:
            for hook in self.store.webhooks.values():
                if hook.account_id == conv.account_id and event in hook.subscriptions:
                    submit("account", hook.url, hook.secret)
            inbox = self.store.inboxes[conv.inbox_id]
            if inbox.webhook_url:
                submit("api_inbox", inbox.webhook_url, inbox.secret)

    def emit_account_only(self, event: str, account_id: int, payload: dict[str, Any]) -> None:
        for hook in self.store.webhooks.values():
            if hook.account_id == account_id and event in hook.subscriptions:
                self.dispatcher.submit(
                    kind="account",
                    url=hook.url,
                    secret=hook.secret,
                    event=event,
                    payload=payload,
                    conversation_id=None,
                    display_id=None,
                    message_id=None,
                )

    def _conversation_event(self, event: str, conv: Conversation, changed: Any = None, *, with_changes: bool) -> None:
        payload = render.conversation_webhook(self.store, conv)
        payload["event"] = event
        if with_changes:
            payload["changed_attributes"] = changed
        self.emit(event, conv, payload)

    def message_event(self, event: str, message: Message) -> None:
        if message.message_type == ACTIVITY:
            return
        conv = self.store.conversations[message.conversation_id]
        self.emit(event, conv, render.message_webhook(self.store, message, event), message.id)

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
            self._activities(conv, before, changed, actor.name)
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

    def _activities(self, conv: Conversation, before: dict[str, Any], changed: list[str], name: str) -> None:
        texts: list[str] = []
        if "status" in changed:
            texts.append(
                {
                    "open": f"Conversation was reopened by {name}",
                    "resolved": f"Conversation was marked resolved by {name}",
                    "pending": f"Conversation was marked as pending by {name}",
                    "snoozed": f"Conversation was snoozed by {name}",
                }[conv.status]
            )
        if "priority" in changed:
            if conv.priority is None:
                texts.append(f"{name} removed priority")
            elif before["priority"] is None:
                texts.append(f"{name} set the priority to {conv.priority}")
            else:
                texts.append(f"{name} changed the priority from {before['priority']} to {conv.priority}")
        if "label_list" in changed:
            added = [label for label in conv.labels if label not in before["label_list"]]
            removed = [label for label in before["label_list"] if label not in conv.labels]
            if added:
                texts.append(f"{name} added {', '.join(added)}")
            if removed:
                texts.append(f"{name} removed {', '.join(removed)}")
        if "assignee_id" in changed or "assignee_agent_bot_id" in changed:
            assignee = self._assignee_name(conv)
            if assignee is None:
                texts.append(f"Conversation unassigned by {name}")
            elif assignee == name:
                texts.append(f"{name} self-assigned this conversation")
            else:
                texts.append(f"Assigned to {assignee} by {name}")
        if "team_id" in changed:
            if conv.team_id is not None and conv.team_id in self.store.teams:
                texts.append(f"Assigned to {self.store.teams[conv.team_id].name} by {name}")
            elif before["team_id"] in self.store.teams:
                texts.append(f"Unassigned from {self.store.teams[before['team_id']].name} by {name}")
        for text in texts:
            self.add_activity(conv, text)

    def _assignee_name(self, conv: Conversation) -> str | None:
        if conv.assignee_agent_bot_id in self.store.bots:
            return self.store.bots[conv.assignee_agent_bot_id].name
        if conv.assignee_id in self.store.users:
            return self.store.users[conv.assignee_id].name
        return None

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
    ) -> Message:
        """A contact, agent or bot message with Message's callbacks: reopen, waiting time, events."""
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
        )
        if message_type == INCOMING:
            self.store.contacts[conv.contact_id].last_activity_at = now
            before = _snapshot(conv)
            if conv.status == "snoozed":
                conv.status = "open"
                conv.snoozed_until = None
            elif conv.status == "resolved":
                conv.status = "pending" if self.store.inboxes[conv.inbox_id].agent_bot_id else "open"
            self.commit(conv, before, None)
            before = _snapshot(conv)
            if conv.waiting_since is None:
                conv.waiting_since = now
            self.commit(conv, before, None)
        elif message_type == OUTGOING and not private and sender is not None:
            before = _snapshot(conv)
            if sender[0] == "User" and conv.first_reply_created_at is None:
                conv.first_reply_created_at = now
            if sender[0] in {"User", "AgentBot"}:
                conv.waiting_since = None
            self.commit(conv, before, None)
        reporting.message_created(self.store, conv, msg, first_reply=first_before is None, waiting_since=waiting_before)
        self.message_event("message_created", msg)
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
    ) -> Conversation:
        now = self.clock.now()
        if self.store.inboxes[inbox_id].agent_bot_id is not None:
            status = "pending"  # before_create :determine_conversation_status overrides the builder
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
            assignee_id=assignee_id,
            team_id=team_id,
            additional_attributes=additional_attributes or {},
            custom_attributes=custom_attributes or {},
            snoozed_until=snoozed_until if status == "snoozed" else None,
        )
        self.store.add_conversation(conv)
        payload = render.conversation_webhook(self.store, conv)
        payload["event"] = "conversation_created"
        self.emit("conversation_created", conv, payload)
        return conv

    def create_contact(
        self,
        account_id: int,
        *,
        name: str | None,
        email: str | None,
        phone_number: str | None,
        identifier: str | None,
        custom_attributes: dict[str, Any] | None = None,
    ) -> Contact:
        contact_id = self.store.next_id("contact", 11)
        contact = Contact(
            contact_id,
            account_id,
            name or _random_name(),
            email,
            phone_number,
            identifier,
            self.clock.now(),
            custom_attributes=custom_attributes or {},
        )
        self.store.contacts[contact_id] = contact
        payload = render.contact_webhook(self.store, contact)
        payload["event"] = "contact_created"
        self.emit_account_only("contact_created", account_id, payload)
        return contact

    def contact_updated(self, contact: Contact, changes: dict[str, tuple[Any, Any]]) -> None:
        """Contact#dispatch_update_event: `contact_updated` to account webhooks, with what changed."""
        payload = render.contact_webhook(self.store, contact)
        payload["event"] = "contact_updated"
        payload["changed_attributes"] = [
            {key: {"previous_value": old, "current_value": new}} for key, (old, new) in changes.items()
        ]
        self.emit_account_only("contact_updated", contact.account_id, payload)

    def create_contact_inbox(self, contact: Contact, inbox_id: int, source_id: str | None = None) -> ContactInbox:
        ci_id = self.store.next_id("contact_inbox", 31)
        record = ContactInbox(
            ci_id, contact.id, inbox_id, source_id or str(uuid.uuid4()), secrets.token_urlsafe(18), self.clock.now()
        )
        self.store.contact_inboxes[ci_id] = record
        return record

    async def on_bot_failure(self, job: Job) -> None:
        """Webhooks::Trigger#update_conversation_status: a failed bot delivery opens a pending conversation."""
        conv = self.store.conversations.get(job.conversation_id or 0)
        if conv is None or conv.status != "pending":
            return
        self.set_status(conv, "open", None)
        self.add_activity(conv, BOT_FAILURE_TEXT)

    def advance_clock(self, seconds: float) -> None:
        """Move time on and run ReopenSnoozedConversationsJob for snoozes that have expired."""
        self.clock.offset += seconds
        now = self.clock.now()
        for conv in list(self.store.conversations.values()):
            if conv.status == "snoozed" and conv.snoozed_until is not None and conv.snoozed_until <= now:
                self.set_status(conv, "open", None)


def _random_name() -> str:
    # Chatwoot names anonymous contacts with a random word pair
    return f"visitante-{secrets.token_hex(3)}"
