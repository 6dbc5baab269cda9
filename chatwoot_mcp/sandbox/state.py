"""In-memory records of the sandbox's Chatwoot account, held in plain dicts keyed by id."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from .campaign_records import Campaign
from .inbox_settings import default_settings
from .indexes import (
    ContactInboxIndex,
    ContactIndex,
    ConversationIndex,
    IndexedDict,
    MessageIndex,
    watched_setattr,
)
from .outside import Outside
from .presence import Presence

STATUSES = ("open", "resolved", "pending", "snoozed")
PRIORITIES = ("low", "medium", "high", "urgent")
INCOMING, OUTGOING, ACTIVITY, TEMPLATE = 0, 1, 2, 3
MESSAGE_TYPES = {"incoming": INCOMING, "outgoing": OUTGOING, "activity": ACTIVITY, "template": TEMPLATE}
MESSAGE_TYPE_NAMES = {v: k for k, v in MESSAGE_TYPES.items()}

SenderType = Literal["User", "Contact", "AgentBot"]


@dataclass
class Account:
    id: int
    name: str
    settings: dict[str, Any] = field(default_factory=dict)  # the `settings` jsonb (store_accessor)
    details: dict[str, Any] = field(default_factory=dict)  # locale, domain, support_email, custom_attributes


@dataclass
class User:
    id: int
    name: str
    email: str
    role: str  # "administrator" | "agent"
    access_token: str
    account_ids: tuple[int, ...]
    pubsub_token: str
    availability_status: str = "online"
    auto_offline: bool = True  # the account user's: False keeps the agent online without a connection
    created_at: float = 0.0
    password: str = ""  # for POST /auth/sign_in

    @property
    def is_admin(self) -> bool:
        return self.role == "administrator"


@dataclass
class AgentBot:
    id: int
    name: str
    description: str
    outgoing_url: str | None
    secret: str | None
    access_token: str
    account_id: int | None
    bot_type: str = "webhook"
    bot_config: dict[str, Any] = field(default_factory=dict)
    avatar_url: str = ""


@dataclass
class Team:
    id: int
    account_id: int
    name: str
    description: str
    allow_auto_assign: bool
    member_ids: set[int]
    created_at: float = 0.0
    updated_at: float = 0.0


@dataclass
class Inbox:
    id: int
    account_id: int
    channel_id: int
    name: str
    inbox_identifier: str
    secret: str
    hmac_token: str
    member_ids: set[int]
    agent_bot_id: int | None = None
    webhook_url: str | None = None
    channel_type: str = "Channel::Api"
    settings: dict[str, Any] = field(default_factory=default_settings)  # the inbox's own columns (inbox_settings)
    channel: dict[str, Any] = field(default_factory=dict)  # a web widget's columns; an API inbox's are above
    avatar_url: str = ""
    created_at: float = 0.0


@dataclass
class Contact:
    id: int
    account_id: int
    name: str
    email: str | None
    phone_number: str | None
    identifier: str | None
    created_at: float
    last_activity_at: float | None = None
    additional_attributes: dict[str, Any] = field(default_factory=dict)
    custom_attributes: dict[str, Any] = field(default_factory=dict)
    blocked: bool = False
    updated_at: float | None = None  # the last save that changed a value; None until then (created_at stands in)
    labels: list[str] = field(default_factory=list)
    avatar: Blob | None = None
    contact_type: str = "visitor"  # visitor, lead or customer; a lead stays one (render_records.contact_type)

    WATCHED: ClassVar[frozenset[str]] = frozenset(
        {"account_id", "labels", "name", "email", "phone_number", "identifier", "last_activity_at", "created_at"}
        | {"additional_attributes"}
    )

    def __setattr__(self, name: str, value: Any) -> None:
        watched_setattr(self, name, value, self.WATCHED, object.__setattr__)


@dataclass
class ContactInbox:
    id: int
    contact_id: int
    inbox_id: int
    source_id: str
    pubsub_token: str
    created_at: float
    hmac_verified: bool = False  # set by the widget's set_user once the identifier's HMAC checked


@dataclass
class Blob:
    """An uploaded file (ActiveStorage::Blob), served back at its `url`."""

    key: str
    filename: str
    content_type: str
    data: bytes
    url: str


@dataclass
class Attachment:
    id: int
    account_id: int
    message_id: int
    file_type: str  # image | audio | video | file (FileTypeHelper)
    blob: Blob
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Message:
    id: int
    account_id: int
    inbox_id: int
    conversation_id: int  # database id of the conversation
    content: str | None
    message_type: int
    created_at: float
    updated_at: float
    content_type: str = "text"
    content_attributes: dict[str, Any] = field(default_factory=dict)
    private: bool = False
    source_id: str | None = None
    sender_type: SenderType | None = None
    sender_id: int | None = None
    status: str = "sent"
    additional_attributes: dict[str, Any] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)

    WATCHED: ClassVar[frozenset[str]] = frozenset({"account_id", "content"})

    def __setattr__(self, name: str, value: Any) -> None:
        watched_setattr(self, name, value, self.WATCHED, object.__setattr__)


@dataclass
class Conversation:
    id: int
    display_id: int
    account_id: int
    inbox_id: int
    contact_id: int
    contact_inbox_id: int
    uuid: str
    status: str
    created_at: float
    updated_at: float
    last_activity_at: float
    assignee_id: int | None = None
    assignee_agent_bot_id: int | None = None
    team_id: int | None = None
    campaign_id: int | None = None  # the Campaign's id (not its display id), set by the campaign conversation builder
    labels: list[str] = field(default_factory=list)
    priority: str | None = None
    snoozed_until: float | None = None
    waiting_since: float | None = None
    first_reply_created_at: float | None = None
    agent_last_seen_at: float | None = None
    assignee_last_seen_at: float | None = None
    contact_last_seen_at: float | None = None
    custom_attributes: dict[str, Any] = field(default_factory=dict)
    additional_attributes: dict[str, Any] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    participant_ids: list[int] = field(default_factory=list)  # conversation_participants' users, oldest first
    recent_creations: deque[float] = field(default_factory=deque)

    WATCHED: ClassVar[frozenset[str]] = frozenset(
        {
            "account_id",
            "inbox_id",
            "status",
            "last_activity_at",
            "assignee_id",
            "assignee_agent_bot_id",
            "contact_id",
            "labels",
            "team_id",
            "updated_at",
        }
    )

    @property
    def assigned(self) -> bool:
        """Conversation.assigned: a user or an AgentBot holds it (`unassigned` is neither, since v4.8)."""
        return self.assignee_id is not None or self.assignee_agent_bot_id is not None

    def __setattr__(self, name: str, value: Any) -> None:
        watched_setattr(self, name, value, self.WATCHED, object.__setattr__)


@dataclass
class Webhook:
    id: int
    account_id: int
    url: str
    name: str | None
    subscriptions: list[str]
    secret: str
    inbox_id: int | None = None


@dataclass
class Label:
    id: int
    account_id: int
    title: str
    description: str | None
    color: str
    show_on_sidebar: bool | None = True


@dataclass
class CannedResponse:
    id: int
    account_id: int
    short_code: str
    content: str
    created_at: float
    updated_at: float


@dataclass
class ReportingEvent:
    """A row of Chatwoot's reporting_events, written by its ReportingEventListener."""

    id: int
    account_id: int
    name: str
    value: float
    inbox_id: int
    user_id: int | None
    conversation_id: int  # database id
    created_at: float
    event_start_time: float
    event_end_time: float


class Clock:
    """Wall clock plus an offset the control API can advance."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset


@dataclass
class Store:
    """Every record of the sandbox; rebuilt from the seed on reset."""

    clock: Clock
    accounts: dict[int, Account] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    bots: dict[int, AgentBot] = field(default_factory=dict)
    teams: dict[int, Team] = field(default_factory=dict)
    inboxes: dict[int, Inbox] = field(default_factory=dict)
    contacts: IndexedDict[Contact] = field(default_factory=lambda: IndexedDict(ContactIndex()))
    contact_inboxes: IndexedDict[ContactInbox] = field(default_factory=lambda: IndexedDict(ContactInboxIndex()))
    conversations: IndexedDict[Conversation] = field(default_factory=lambda: IndexedDict(ConversationIndex()))
    messages: IndexedDict[Message] = field(default_factory=lambda: IndexedDict(MessageIndex()))
    webhooks: dict[int, Webhook] = field(default_factory=dict)
    labels: dict[int, Label] = field(default_factory=dict)
    blobs: dict[str, Blob] = field(default_factory=dict)
    canned_responses: dict[int, CannedResponse] = field(default_factory=dict)
    campaigns: dict[int, Campaign] = field(default_factory=dict)
    reporting_events: list[ReportingEvent] = field(default_factory=list)
    bot_handoffs: dict[int, ReportingEvent] = field(default_factory=dict)  # by conversation: at most one each
    display_index: dict[tuple[int, int], int] = field(default_factory=dict)
    presence: Presence = field(default_factory=Presence)  # OnlineStatusTracker's Redis sets
    outside: Outside = field(default_factory=Outside)  # providers' URLs and queue faults, reset with the rest
    _ids: dict[str, int] = field(default_factory=dict)

    def next_id(self, kind: str, start: int = 1) -> int:
        value = self._ids.get(kind, start - 1) + 1
        self._ids[kind] = value
        return value

    def now(self) -> float:
        return self.clock.now()

    def token_owner(self, token: str) -> User | AgentBot | None:
        for user in self.users.values():
            if user.access_token == token:
                return user
        for bot in self.bots.values():
            if bot.access_token == token:
                return bot
        return None

    def conversation_by_display(self, account_id: int, display_id: int) -> Conversation | None:
        conv_id = self.display_index.get((account_id, display_id))
        return self.conversations.get(conv_id) if conv_id is not None else None

    def add_conversation(self, conv: Conversation) -> None:
        self.conversations[conv.id] = conv
        self.display_index[(conv.account_id, conv.display_id)] = conv.id

    def inbox_by_identifier(self, identifier: str) -> Inbox | None:
        return next((i for i in self.inboxes.values() if i.inbox_identifier == identifier), None)

    def contact_inbox_by_source(self, inbox_id: int, source_id: str) -> ContactInbox | None:
        found = self.contact_inbox_index.by_source.get((inbox_id, source_id))
        return self.contact_inboxes.get(found) if found is not None else None

    def contact_inbox_by_pubsub(self, token: str) -> ContactInbox | None:
        """`ContactInbox.find_by(pubsub_token:)`: the token is unique (index_contact_inboxes_on_pubsub_token)."""
        found = self.contact_inbox_index.by_pubsub.get(token)
        return self.contact_inboxes.get(found) if found is not None else None

    @property
    def contact_inbox_index(self) -> ContactInboxIndex:
        return self.contact_inboxes.index  # type: ignore[return-value]

    @property
    def contact_index(self) -> ContactIndex:
        return self.contacts.index  # type: ignore[return-value]

    @property
    def conversation_index(self) -> ConversationIndex:
        return self.conversations.index  # type: ignore[return-value]

    @property
    def message_index(self) -> MessageIndex:
        return self.messages.index  # type: ignore[return-value]

    def add_reporting_event(self, event: ReportingEvent) -> None:
        self.reporting_events.append(event)
        if event.name == "conversation_bot_handoff":
            self.bot_handoffs.setdefault(event.conversation_id, event)

    def contact_inboxes_of(self, contact_id: int) -> list[ContactInbox]:
        return [self.contact_inboxes[i] for i in self.contact_inbox_index.by_contact.get(contact_id, [])]

    def contact_inbox_for(self, contact_id: int, inbox_id: int) -> ContactInbox | None:
        return next((ci for ci in self.contact_inboxes_of(contact_id) if ci.inbox_id == inbox_id), None)

    def inbox_bot(self, inbox: Inbox) -> AgentBot | None:
        return self.bots.get(inbox.agent_bot_id) if inbox.agent_bot_id is not None else None

    def account_users(self, account_id: int) -> list[User]:
        return [u for u in self.users.values() if account_id in u.account_ids]
