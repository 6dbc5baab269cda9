"""`api/v1/models/_contact` and the contact's push and webhook data."""

from __future__ import annotations

from typing import Any

from .presence import contact_online
from .render_common import account_ref, to_i
from .render_inboxes import inbox_slim
from .state import Contact, Store, User


def avatar_url(contact: Contact) -> str:
    """Avatarable#avatar_url: the attached avatar's URL, else an empty string."""
    return contact.avatar.url if contact.avatar is not None else ""


def contact_push(contact: Contact) -> dict[str, Any]:
    return {
        "additional_attributes": contact.additional_attributes,
        "custom_attributes": contact.custom_attributes,
        "email": contact.email,
        "id": contact.id,
        "identifier": contact.identifier,
        "name": contact.name,
        "phone_number": contact.phone_number,
        "thumbnail": avatar_url(contact),
        "blocked": contact.blocked,
        "type": "contact",
    }


def contact_webhook(store: Store, contact: Contact) -> dict[str, Any]:
    return {
        "account": account_ref(store, contact.account_id),
        "additional_attributes": contact.additional_attributes,
        "avatar": avatar_url(contact),
        "custom_attributes": contact.custom_attributes,
        "email": contact.email,
        "id": contact.id,
        "identifier": contact.identifier,
        "name": contact.name,
        "phone_number": contact.phone_number,
        "thumbnail": avatar_url(contact),
        "blocked": contact.blocked,
    }


def contact(store: Store, record: Contact, *, with_inboxes: bool = False, viewer: User | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "additional_attributes": record.additional_attributes,
        "availability_status": "online" if contact_online(store, record.account_id, record.id) else "offline",
        "email": record.email,
        "id": record.id,
        "name": record.name,
        "phone_number": record.phone_number,
        "blocked": record.blocked,
        "identifier": record.identifier,
        "thumbnail": avatar_url(record),
        "custom_attributes": record.custom_attributes,
    }
    if record.last_activity_at is not None:  # jbuilder writes it only when present
        body["last_activity_at"] = to_i(record.last_activity_at)
    body["created_at"] = to_i(record.created_at)
    if with_inboxes:
        body["contact_inboxes"] = [
            {"source_id": ci.source_id, "inbox": inbox_slim(store.inboxes[ci.inbox_id])}
            for ci in store.contact_inboxes_of(record.id)
        ]
    return body
