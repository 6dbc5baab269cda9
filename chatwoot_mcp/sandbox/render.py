"""Chatwoot's JSON views (jbuilder partials and webhook_data) rendered from sandbox records."""

from __future__ import annotations

import re
from typing import Any

from . import attachments
from .message_window import can_reply
from .render_common import account_ref, iso, to_i
from .render_contacts import contact, contact_push, contact_webhook
from .render_inboxes import inbox
from .render_people import (
    agent,
    agent_bot,
    bot_push,
    bot_slim,
    profile,
    team,
    team_record,
    user_push,
)
from .state import (
    ACTIVITY,
    INCOMING,
    MESSAGE_TYPE_NAMES,
    ContactInbox,
    Conversation,
    Message,
    Store,
    User,
    Webhook,
)

UNREAD_LIMIT = 10
HARD_BREAK = re.compile(r"\\\r?\n")
__all__ = [
    "account_ref",
    "agent",
    "agent_bot",
    "bot_push",
    "bot_slim",
    "contact",
    "contact_push",
    "contact_webhook",
    "inbox",
    "iso",
    "profile",
    "team",
    "team_record",
    "to_i",
    "user_push",
]


# ---- messages -----------------------------------------------------------------------------------


def sender_push(store: Store, message: Message) -> dict[str, Any] | None:
    if message.sender_type == "Contact":
        found = store.contacts.get(message.sender_id or 0)
        return contact_push(found) if found else None
    if message.sender_type == "User":
        user = store.users.get(message.sender_id or 0)
        return user_push(user) if user else None
    if message.sender_type == "AgentBot":
        bot = store.bots.get(message.sender_id or 0)
        return bot_push(bot) if bot else None
    return None


def sender_webhook(store: Store, message: Message) -> dict[str, Any] | None:
    if message.sender_type == "Contact":
        found = store.contacts.get(message.sender_id or 0)
        return contact_webhook(store, found) if found else None
    if message.sender_type == "User":
        user = store.users.get(message.sender_id or 0)
        return {"id": user.id, "name": user.name, "email": user.email, "type": "user"} if user else None
    if message.sender_type == "AgentBot":
        bot = store.bots.get(message.sender_id or 0)
        return {"id": bot.id, "name": bot.name, "type": "agent_bot"} if bot else None
    return None


def message(store: Store, record: Message, *, echo_id: Any = None) -> dict[str, Any]:
    """`api/v1/models/_message`: the REST message, `message_type` as an integer."""
    conv = store.conversations[record.conversation_id]
    body: dict[str, Any] = {
        "id": record.id,
        "content": record.content,
        "inbox_id": record.inbox_id,
    }
    if echo_id is not None:
        body["echo_id"] = echo_id
    body.update(
        {
            "conversation_id": conv.display_id,
            "message_type": record.message_type,
            "content_type": record.content_type,
            "status": record.status,
            "content_attributes": record.content_attributes,
            "created_at": to_i(record.created_at),
            "private": record.private,
            "source_id": record.source_id,
            **attachments.rendered(record.attachments),
        }
    )
    sender = sender_push(store, record)
    if sender is not None:
        body["sender"] = sender
    return body


def message_push(store: Store, record: Message) -> dict[str, Any]:
    """`Message#push_event_data`: used in `conversation.messages[]`."""
    conv = store.conversations[record.conversation_id]
    source_id = store.contact_inboxes[conv.contact_inbox_id].source_id
    body: dict[str, Any] = {
        "id": record.id,
        "content": record.content,
        "account_id": record.account_id,
        "inbox_id": record.inbox_id,
        "conversation_id": conv.display_id,
        "message_type": record.message_type,
        "created_at": to_i(record.created_at),
        "updated_at": iso(record.updated_at),
        "private": record.private,
        "status": record.status,
        "source_id": record.source_id,
        "content_type": record.content_type,
        "content_attributes": record.content_attributes,
        "sender_type": record.sender_type,
        "sender_id": record.sender_id,
        "external_source_ids": {},
        "additional_attributes": record.additional_attributes,
        "processed_message_content": record.content,
        "sentiment": {},
        "conversation": {
            "assignee_id": conv.assignee_id,
            "unread_count": unread_count(conv),
            "last_activity_at": to_i(conv.last_activity_at),
            "contact_inbox": {"source_id": source_id},
        },
        **attachments.rendered(record.attachments),
    }
    sender = sender_push(store, record)
    if sender is not None:
        body["sender"] = sender
    return body


def webhook_text(text: str | None) -> str | None:
    """Messages::WebhookContentNormalizer: the editor's CommonMark hard breaks (a backslash before a newline)
    become plain newlines in what webhooks carry."""
    return HARD_BREAK.sub("\n", text) if text else text


def message_webhook_push(store: Store, record: Message) -> dict[str, Any]:
    """`Message#webhook_push_event_data`: the push data with its texts normalized, for webhooks' conversations."""
    text = webhook_text(record.content)
    return {**message_push(store, record), "content": text, "processed_message_content": text}


def message_webhook(store: Store, record: Message, event: str) -> dict[str, Any]:
    """`Message#webhook_data` + event: `message_type` as a string, ISO `created_at`."""
    conv = store.conversations[record.conversation_id]
    found = store.inboxes[record.inbox_id]
    return {
        "account": account_ref(store, record.account_id),
        "additional_attributes": record.additional_attributes,
        "content_attributes": record.content_attributes,
        "content_type": record.content_type,
        "content": webhook_text(record.content),
        "conversation": conversation_webhook(store, conv),
        "created_at": iso(record.created_at),
        "id": record.id,
        "inbox": {"id": found.id, "name": found.name},
        "message_type": MESSAGE_TYPE_NAMES[record.message_type],
        "private": record.private,
        "sender": sender_webhook(store, record),
        "source_id": record.source_id,
        **attachments.rendered(record.attachments),
        "event": event,
    }


def public_message(store: Store, record: Message) -> dict[str, Any]:
    conv = store.conversations[record.conversation_id]
    body: dict[str, Any] = {
        "id": record.id,
        "content": record.content,
        "message_type": record.message_type,
        "content_type": record.content_type,
        "content_attributes": record.content_attributes,
        "created_at": to_i(record.created_at),
        "conversation_id": conv.display_id,
        **attachments.rendered(record.attachments),
    }
    sender = sender_push(store, record)
    if sender is not None:
        body["sender"] = sender
    return body


# ---- conversations ------------------------------------------------------------------------------


def unread_count(conv: Conversation) -> int:
    """`unread_incoming_messages.count`: incoming messages after agent_last_seen_at, `.last(10)`, so at most 10."""
    seen = conv.agent_last_seen_at
    count = 0
    # messages are kept in creation order, so only the unseen tail needs a look
    for m in reversed(conv.messages):
        if seen is not None and m.created_at <= seen:
            break
        if m.message_type == INCOMING:
            count += 1
            if count == UNREAD_LIMIT:
                break
    return count


def _assignee(store: Store, conv: Conversation, *, push: bool, account_id: int) -> tuple[Any, str | None]:
    if conv.assignee_agent_bot_id is not None and conv.assignee_agent_bot_id in store.bots:
        bot = store.bots[conv.assignee_agent_bot_id]
        return (bot_push(bot) if push else bot_slim(bot)), "AgentBot"
    if conv.assignee_id is not None and conv.assignee_id in store.users:
        user = store.users[conv.assignee_id]
        return (user_push(user) if push else agent(user, account_id)), "User"
    return None, None


def conversation(store: Store, conv: Conversation, viewer: User | None = None) -> dict[str, Any]:
    """`api/v1/conversations/partials/_conversation`: the REST conversation (id is the display id)."""
    found_contact = store.contacts[conv.contact_id]
    channel = store.inboxes[conv.inbox_id].channel_type  # `conversation.inbox.try(:channel_type)`
    meta: dict[str, Any] = {"sender": contact(store, found_contact), "channel": channel}
    assignee, assignee_type = _assignee(store, conv, push=False, account_id=conv.account_id)
    # jbuilder only writes assignee/assignee_type/team when they are present, as Chatwoot does
    if assignee is not None:
        meta["assignee"] = assignee
        meta["assignee_type"] = assignee_type
    if conv.team_id is not None and conv.team_id in store.teams:
        meta["team"] = team(store, store.teams[conv.team_id], viewer)
    ci = store.contact_inboxes.get(conv.contact_inbox_id)
    meta["hmac_verified"] = ci.hmac_verified if ci is not None else False
    last = conv.messages[-1] if conv.messages else None
    last_non_activity = next((m for m in reversed(conv.messages) if m.message_type != ACTIVITY), None)
    return {
        "meta": meta,
        "id": conv.display_id,
        "messages": [message_push(store, last)] if last else [],
        "account_id": conv.account_id,
        "uuid": conv.uuid,
        "additional_attributes": conv.additional_attributes,
        "agent_last_seen_at": to_i(conv.agent_last_seen_at),
        "assignee_last_seen_at": to_i(conv.assignee_last_seen_at),
        "can_reply": can_reply(store, conv),
        "contact_last_seen_at": to_i(conv.contact_last_seen_at),
        "custom_attributes": conv.custom_attributes,
        "inbox_id": conv.inbox_id,
        "labels": list(conv.labels),
        "muted": store.contacts[conv.contact_id].blocked,  # Conversation#muted?: contact.blocked?
        "snoozed_until": iso(conv.snoozed_until),
        "status": conv.status,
        "created_at": to_i(conv.created_at),
        "updated_at": conv.updated_at,
        "timestamp": to_i(conv.last_activity_at),
        "first_reply_created_at": to_i(conv.first_reply_created_at),
        "unread_count": unread_count(conv),
        "last_non_activity_message": message_push(store, last_non_activity) if last_non_activity else None,
        "last_activity_at": to_i(conv.last_activity_at),
        "priority": conv.priority,
        "waiting_since": to_i(conv.waiting_since),
        "sla_policy_id": None,
    }


def conversation_webhook(store: Store, conv: Conversation) -> dict[str, Any]:
    """`Conversations::EventDataPresenter#webhook_data`, key for key."""
    ci = store.contact_inboxes[conv.contact_inbox_id]
    chat = next((m for m in reversed(conv.messages) if m.message_type != ACTIVITY and not m.private), None)
    assignee, assignee_type = _assignee(store, conv, push=True, account_id=conv.account_id)
    found_team = store.teams.get(conv.team_id) if conv.team_id is not None else None
    return {
        "additional_attributes": conv.additional_attributes,
        "can_reply": can_reply(store, conv),
        "channel": store.inboxes[conv.inbox_id].channel_type,
        "contact_inbox": {
            "id": ci.id,
            "contact_id": ci.contact_id,
            "inbox_id": ci.inbox_id,
            "source_id": ci.source_id,
            "created_at": iso(ci.created_at),
            "updated_at": iso(ci.created_at),
            "hmac_verified": ci.hmac_verified,
            "pubsub_token": ci.pubsub_token,
        },
        "id": conv.display_id,
        "inbox_id": conv.inbox_id,
        "messages": [message_webhook_push(store, chat)] if chat else [],
        "labels": list(conv.labels),
        "meta": {
            "sender": contact_push(store.contacts[conv.contact_id]),
            "assignee": assignee,
            "assignee_type": assignee_type,
            "team": {"id": found_team.id, "name": found_team.name} if found_team else None,
            "hmac_verified": ci.hmac_verified,
        },
        "status": conv.status,
        "custom_attributes": conv.custom_attributes,
        "snoozed_until": iso(conv.snoozed_until),
        "unread_count": unread_count(conv),
        "first_reply_created_at": iso(conv.first_reply_created_at),
        "priority": conv.priority,
        "waiting_since": to_i(conv.waiting_since),
        "agent_last_seen_at": to_i(conv.agent_last_seen_at),
        "contact_last_seen_at": to_i(conv.contact_last_seen_at),
        "last_activity_at": to_i(conv.last_activity_at),
        "timestamp": to_i(conv.last_activity_at),
        "created_at": to_i(conv.created_at),
        "updated_at": conv.updated_at,
        "account": account_ref(store, conv.account_id),
    }


def public_conversation(store: Store, conv: Conversation) -> dict[str, Any]:
    found_contact = store.contacts[conv.contact_id]
    return {
        "id": conv.display_id,
        "uuid": conv.uuid,
        "inbox_id": conv.inbox_id,
        "contact_last_seen_at": to_i(conv.contact_last_seen_at),
        "status": conv.status,
        "agent_last_seen_at": to_i(conv.agent_last_seen_at),
        "messages": [public_message(store, m) for m in conv.messages if m.message_type != ACTIVITY and not m.private],
        "contact": {
            "id": found_contact.id,
            "name": found_contact.name,
            "email": found_contact.email,
            "phone_number": found_contact.phone_number,
        },
    }


def contact_inbox_webhook(store: Store, ci: ContactInbox) -> dict[str, Any]:
    """`ContactInbox#webhook_data`: the contact, the inbox and account refs, and the newest conversation."""
    ids = [i for i in store.conversation_index.by_contact.get(ci.contact_id, ()) if i in store.conversations]
    mine = [store.conversations[i] for i in sorted(ids) if store.conversations[i].contact_inbox_id == ci.id]
    inbox_record = store.inboxes[ci.inbox_id]
    return {
        "id": ci.id,
        "contact": contact_webhook(store, store.contacts[ci.contact_id]),
        "inbox": {"id": inbox_record.id, "name": inbox_record.name},
        "account": account_ref(store, inbox_record.account_id),
        "current_conversation": conversation_webhook(store, mine[-1]) if mine else None,
        "source_id": ci.source_id,
    }


# ---- webhooks ---------------------------------------------------------------------------------------


def webhook(store: Store, record: Webhook) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": record.id,
        "name": record.name,
        "url": record.url,
        "account_id": record.account_id,
        "subscriptions": list(record.subscriptions),
        "secret": record.secret,
    }
    if record.inbox_id is not None and record.inbox_id in store.inboxes:
        found = store.inboxes[record.inbox_id]
        body["inbox"] = {"id": found.id, "name": found.name}
    return body
