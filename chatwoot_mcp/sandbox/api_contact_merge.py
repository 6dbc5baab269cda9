"""Merging two contacts (Actions::ContactMergesController, ContactMergeAction): the mergee's conversations, messages
and contact inboxes move to the base contact, which keeps its own values and takes the mergee's where it has none."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import render
from .errors import not_found
from .parsing import present, to_int
from .routing import ACCOUNT, Ctx, Reply, Router
from .state import Contact

if TYPE_CHECKING:
    from .domain import Engine

MERGEABLE = ("identifier", "name", "email", "phone_number", "additional_attributes", "custom_attributes")


def _contact(ctx: Ctx, key: str) -> Contact:
    """`Current.account.contacts.find(params[key])`: 404 otherwise."""
    contact_id = to_int(ctx.params.get(key))
    found = ctx.store.contacts.get(contact_id) if contact_id is not None else None
    if found is None or found.account_id != ctx.account_id:
        raise not_found()
    return found


def deep_merge(under: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(under)
    for key, value in over.items():
        merged[key] = (
            deep_merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
        )
    return merged


def _present_values(contact: Contact) -> dict[str, Any]:
    """`attributes.slice(*mergeable).compact_blank`."""
    return {key: getattr(contact, key) for key in MERGEABLE if present(getattr(contact, key))}


def merge(engine: Engine, base: Contact, mergee: Contact) -> Contact:
    """ContactMergeAction#perform: `base` survives with the mergee's records; the same contact twice is a no-op."""
    if base.id == mergee.id:
        return base
    store = engine.store
    for conv_id in sorted(store.conversation_index.by_contact.get(mergee.id, ())):
        conv = store.conversations[conv_id]
        conv.contact_id = base.id  # a watched field: the indexes follow
        # A contact writes only in its own conversations (every API that takes a contact's message puts it in
        # that contact's conversation), so its messages are found there, not by reading the whole account.
        for message in conv.messages:
            if message.sender_type == "Contact" and message.sender_id == mergee.id:
                message.sender_id = base.id
    for record in store.contact_inboxes_of(mergee.id):
        store.contact_inboxes.pop(record.id)
        record.contact_id = base.id
        store.contact_inboxes[record.id] = record  # back in, under the base contact
    merged = deep_merge(_present_values(mergee), _present_values(base))  # the base contact's values win
    del store.contacts[mergee.id]  # destroyed before the update, so its e-mail and phone are free to move
    save(engine, base, merged)
    return base


def save(engine: Engine, contact: Contact, values: dict[str, Any]) -> None:
    """Set the values that differ and send one `contact_updated` naming them (none when nothing changed)."""
    changes: dict[str, tuple[Any, Any]] = {}
    for key, value in values.items():
        if getattr(contact, key) != value:
            changes[key] = (getattr(contact, key), value)
            setattr(contact, key, value)
    if changes:
        engine.contact_updated(contact, changes)


async def create(ctx: Ctx) -> Reply:
    base, mergee = _contact(ctx, "base_contact_id"), _contact(ctx, "mergee_contact_id")
    return 200, render.contact(ctx.store, merge(ctx.engine, base, mergee))


def register(router: Router) -> None:
    router.add("POST", ACCOUNT + r"/actions/contact_merge", create, "actions/contact_merges", "create")
