"""Builders of the webhook payloads: what the event carries (its name, `changed_attributes`) is fixed when it
happens, the records are read when the builder runs (at once for the bot, after the request for WebhookListener).
A builder returns None once its record is deleted, as a job whose record cannot be loaded is dropped."""

from __future__ import annotations

from typing import Any

from . import render
from .listeners import Builder
from .state import Contact, ContactInbox, Conversation, Message, Store


def conversation(store: Store, conv: Conversation, **extra: Any) -> Builder:
    """`conversation.webhook_data` merged with `extra`."""

    def build() -> dict[str, Any] | None:
        if store.conversations.get(conv.id) is not conv:
            return None
        return {**render.conversation_webhook(store, conv), **extra}

    return build


def typing(store: Store, conv: Conversation, event: str, user: dict[str, Any] | None, is_private: bool) -> Builder:
    """WebhookListener#handle_typing_status: the typist's webhook_data and the conversation's."""

    def build() -> dict[str, Any] | None:
        if store.conversations.get(conv.id) is not conv:
            return None
        body = render.conversation_webhook(store, conv)
        return {"event": event, "user": user, "conversation": body, "is_private": is_private}

    return build


def message(store: Store, record: Message, event: str) -> Builder:
    """`message.webhook_data` with the event."""

    def build() -> dict[str, Any] | None:
        if store.messages.get(record.id) is not record:
            return None
        return render.message_webhook(store, record, event)

    return build


def contact(store: Store, record: Contact, **extra: Any) -> Builder:
    """`contact.webhook_data` merged with `extra`."""

    def build() -> dict[str, Any] | None:
        if store.contacts.get(record.id) is not record:
            return None
        return {**render.contact_webhook(store, record), **extra}

    return build


def contact_inbox(store: Store, record: ContactInbox, **extra: Any) -> Builder:
    """`contact_inbox.webhook_data` merged with `extra` (webwidget_triggered)."""

    def build() -> dict[str, Any] | None:
        if store.contact_inboxes.get(record.id) is not record:
            return None
        return {**render.contact_inbox_webhook(store, record), **extra}

    return build
