"""Pydantic models of what Chatwoot returns; faithful to the wire format, tolerant of extra and missing keys.

Timestamps are normalised to `int` Unix seconds, whether Chatwoot sent an int, a float or an ISO-8601 string.
Secrets Chatwoot returns (access tokens, webhook and HMAC secrets) are `SecretStr`, so they never show in a repr.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr

__all__ = [
    "Agent",
    "AgentBot",
    "AgentBotSlim",
    "Assignee",
    "Contact",
    "ContactPage",
    "Conversation",
    "ConversationCounts",
    "ConversationFilterPage",
    "ConversationMeta",
    "ConversationPage",
    "Inbox",
    "Message",
    "MessagePage",
    "MessageSender",
    "MessageType",
    "Profile",
    "ProfileAccount",
    "Team",
    "ToggleStatusResult",
    "UnixTime",
    "Webhook",
]

MessageType = Literal["incoming", "outgoing", "activity", "template"]
_MESSAGE_TYPES: tuple[MessageType, ...] = ("incoming", "outgoing", "activity", "template")


def _to_unix(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
        try:
            return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())
        except ValueError:
            return value
    return value


def _to_message_type(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(_MESSAGE_TYPES):
        return _MESSAGE_TYPES[value]
    if isinstance(value, str) and value.isdigit() and int(value) < len(_MESSAGE_TYPES):
        return _MESSAGE_TYPES[int(value)]
    return value


UnixTime = Annotated[int, BeforeValidator(_to_unix)]
"""Unix seconds; accepts an int, a float (Chatwoot's `updated_at`) or an ISO-8601 string (webhooks)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class ProfileAccount(_Model):
    id: int
    name: str | None = None
    role: str | None = None
    status: str | None = None
    availability: str | None = None
    availability_status: str | None = None


class Profile(_Model):
    """`GET /api/v1/profile`: the user that owns the token, with the accounts it belongs to."""

    id: int
    name: str | None = None
    email: str | None = None
    available_name: str | None = None
    display_name: str | None = None
    role: str | None = None
    type: str | None = None
    account_id: int | None = None
    accounts: list[ProfileAccount] = Field(default_factory=list)
    access_token: SecretStr | None = None
    pubsub_token: SecretStr | None = None


class Inbox(_Model):
    id: int
    name: str
    channel_type: str | None = None
    channel_id: int | None = None
    avatar_url: str | None = None
    inbox_identifier: str | None = None
    webhook_url: str | None = None
    enable_auto_assignment: bool | None = None
    greeting_enabled: bool | None = None
    greeting_message: str | None = None
    working_hours_enabled: bool | None = None
    timezone: str | None = None
    lock_to_single_conversation: bool | None = None
    secret: SecretStr | None = None
    hmac_token: SecretStr | None = None


class Label(_Model):
    """An account label, as `GET /labels` lists it (`api/v1/models/_label`)."""

    id: int
    title: str
    description: str | None = None
    color: str | None = None
    show_on_sidebar: bool | None = None


class Agent(_Model):
    """A user of the account, as `GET /agents` and `POST …/assignments` return it."""

    id: int
    name: str | None = None
    available_name: str | None = None
    email: str | None = None
    role: str | None = None
    account_id: int | None = None
    availability_status: str | None = None
    auto_offline: bool | None = None
    confirmed: bool | None = None
    thumbnail: str | None = None


class Team(_Model):
    id: int
    name: str
    description: str | None = None
    allow_auto_assign: bool | None = None
    account_id: int | None = None
    is_member: bool | None = None


class Contact(_Model):
    id: int
    name: str | None = None
    email: str | None = None
    phone_number: str | None = None
    identifier: str | None = None
    thumbnail: str | None = None
    blocked: bool | None = None
    type: str | None = None
    availability_status: str | None = None
    additional_attributes: dict[str, Any] = Field(default_factory=dict)
    custom_attributes: dict[str, Any] = Field(default_factory=dict)
    contact_inboxes: list[dict[str, Any]] = Field(default_factory=list)
    created_at: UnixTime | None = None
    last_activity_at: UnixTime | None = None


class AgentBotSlim(_Model):
    """The short AgentBot shape: a conversation's bot assignee, the answer to a bot assignment."""

    id: int
    name: str | None = None
    description: str | None = None
    thumbnail: str | None = None
    outgoing_url: str | None = None
    bot_type: str | int | None = None


class AgentBot(AgentBotSlim):
    """The full AgentBot (admin endpoints); `access_token` and `secret` only reach administrators."""

    bot_config: dict[str, Any] | None = None
    account_id: int | None = None
    system_bot: bool | None = None
    access_token: SecretStr | None = None
    secret: SecretStr | None = None


class Webhook(_Model):
    id: int
    url: str
    name: str | None = None
    account_id: int | None = None
    subscriptions: list[str] = Field(default_factory=list)
    inbox: dict[str, Any] | None = None
    secret: SecretStr | None = None


class MessageSender(_Model):
    """A message's author: `type` is "user", "contact" or "agent_bot" (webhook contacts carry no type)."""

    id: int
    name: str | None = None
    type: str | None = None
    available_name: str | None = None
    email: str | None = None
    avatar_url: str | None = None
    thumbnail: str | None = None


class Message(_Model):
    id: int
    content: str | None = None
    message_type: Annotated[MessageType, BeforeValidator(_to_message_type)]
    content_type: str | None = "text"
    content_attributes: dict[str, Any] = Field(default_factory=dict)
    private: bool = False
    status: str | None = None
    source_id: str | None = None
    echo_id: str | None = None
    conversation_id: int | None = None
    inbox_id: int | None = None
    sender: MessageSender | None = None
    sender_type: str | None = None
    created_at: UnixTime | None = None
    attachments: list[dict[str, Any]] = Field(default_factory=list)


class Assignee(_Model):
    """`meta.assignee`: a user (`type` "user") or an AgentBot (`type` "agent_bot" or absent in the slim shape)."""

    id: int
    name: str | None = None
    type: str | None = None
    available_name: str | None = None
    email: str | None = None
    role: str | None = None
    thumbnail: str | None = None


class ConversationMeta(_Model):
    sender: Contact | None = None
    assignee: Assignee | None = None
    assignee_type: str | None = None
    team: Team | None = None
    channel: str | None = None
    hmac_verified: bool | None = None


class Conversation(_Model):
    """One conversation; `id` is the display id used in every URL."""

    id: int
    account_id: int | None = None
    inbox_id: int | None = None
    uuid: str | None = None
    status: str
    priority: str | None = None
    labels: list[str] = Field(default_factory=list)
    meta: ConversationMeta = Field(default_factory=ConversationMeta)
    messages: list[Message] = Field(default_factory=list)
    last_non_activity_message: Message | None = None
    can_reply: bool | None = None
    muted: bool | None = None
    unread_count: int | None = None
    custom_attributes: dict[str, Any] = Field(default_factory=dict)
    additional_attributes: dict[str, Any] = Field(default_factory=dict)
    snoozed_until: UnixTime | None = None
    created_at: UnixTime | None = None
    updated_at: UnixTime | None = None
    timestamp: UnixTime | None = None
    last_activity_at: UnixTime | None = None
    waiting_since: UnixTime | None = None
    first_reply_created_at: UnixTime | None = None
    agent_last_seen_at: UnixTime | None = None
    contact_last_seen_at: UnixTime | None = None


class ConversationCounts(_Model):
    """Counts Chatwoot returns beside a list; `assigned_count` is absent from filter results."""

    mine_count: int = 0
    assigned_count: int | None = None
    unassigned_count: int = 0
    all_count: int = 0


class ConversationPage(_Model):
    """One page (25) of `GET /conversations`; the counts ignore `assignee_type` (Chatwoot's behaviour)."""

    counts: ConversationCounts
    items: list[Conversation]
    page: int = 1


class ConversationFilterPage(_Model):
    counts: ConversationCounts
    items: list[Conversation]
    page: int = 1


class MessagePage(_Model):
    """Messages in ascending id order; `meta` is Chatwoot's side data (labels, contact, assignee)."""

    items: list[Message]
    meta: dict[str, Any] = Field(default_factory=dict)


class ContactPage(_Model):
    items: list[Contact]
    page: int = 1
    has_more: bool = False


class ToggleStatusResult(_Model):
    """`success` is None when an AgentBot hands a pending conversation to humans (Chatwoot's quirk)."""

    success: bool | None = None
    conversation_id: int
    current_status: str
    snoozed_until: UnixTime | None = None
