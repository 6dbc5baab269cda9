"""Contacts and contact inboxes as the engine creates and saves them, with the events Contact's callbacks send
(`contact_created`, `contact_updated`): the contact half of `Engine`, kept in its own module."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from . import event_payloads, render_records
from .listeners import Builder
from .state import Clock, Contact, ContactInbox, Store


class ContactWrites:
    store: Store
    clock: Clock

    def emit_account_only(self, event: str, account_id: int, build: Builder) -> None:
        raise NotImplementedError  # Engine's

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
        self.emit_account_only(
            "contact_created", account_id, event_payloads.contact(self.store, contact, event="contact_created")
        )
        return contact

    def contact_updated(self, contact: Contact, changes: dict[str, tuple[Any, Any]]) -> None:
        """Contact#dispatch_update_event: `contact_updated` to account webhooks, with what changed."""
        contact.updated_at = self.clock.now()
        contact.contact_type = render_records.contact_type(contact)  # set on save, as SyncAttributes does
        diff = [{key: {"previous_value": old, "current_value": new}} for key, (old, new) in changes.items()]
        build = event_payloads.contact(self.store, contact, event="contact_updated", changed_attributes=diff)
        self.emit_account_only("contact_updated", contact.account_id, build)

    def create_contact_inbox(self, contact: Contact, inbox_id: int, source_id: str | None = None) -> ContactInbox:
        ci_id = self.store.next_id("contact_inbox", 31)
        record = ContactInbox(
            ci_id, contact.id, inbox_id, source_id or str(uuid.uuid4()), secrets.token_urlsafe(18), self.clock.now()
        )
        self.store.contact_inboxes[ci_id] = record
        return record


def _random_name() -> str:
    # Chatwoot names anonymous contacts with a random word pair
    return f"visitante-{secrets.token_hex(3)}"
