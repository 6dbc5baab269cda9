"""Contact deletion, custom attribute removal, export and import (ContactsController#destroy,
#destroy_custom_attributes, #export, #import)."""

from __future__ import annotations

from . import render
from .errors import ApiError, not_found
from .parsing import Upload, str_list, to_int
from .presence import contact_online
from .routing import ACCOUNT, EMPTY, Ctx, Reply, Router
from .state import Contact, Store

CONTACT = ACCOUNT + r"/contacts/(?P<contact_id>[^/]+)"


def _contact(ctx: Ctx) -> Contact:
    contact_id = to_int(ctx.path.get("contact_id"))
    contact = ctx.store.contacts.get(contact_id) if contact_id is not None else None
    if contact is None or contact.account_id != ctx.account_id:
        raise not_found()
    return contact


def remove_contact(store: Store, contact: Contact) -> None:
    """`contact.destroy!`: its conversations (with their messages) and contact inboxes go with it; every index is
    kept by the IndexedDicts as the records leave."""
    for conv_id in sorted(store.conversation_index.by_contact.get(contact.id, ())):
        conv = store.conversations[conv_id]
        for message in conv.messages:
            store.messages.pop(message.id, None)
        store.display_index.pop((conv.account_id, conv.display_id), None)
        store.bot_handoffs.pop(conv_id, None)
        del store.conversations[conv_id]
    for record in store.contact_inboxes_of(contact.id):
        del store.contact_inboxes[record.id]
    del store.contacts[contact.id]


async def destroy(ctx: Ctx) -> Reply:
    """Administrators only (ContactPolicy#destroy?); a contact online on the widget (RoomChannel presence) is
    refused with `contacts.online.delete` and its name as Ruby's `capitalize` writes it."""
    ctx.require_admin()
    contact = _contact(ctx)
    if contact_online(ctx.store, contact.account_id, contact.id):
        name = f"{contact.name[:1].upper()}{contact.name[1:].lower()}"
        raise ApiError(422, {"message": f"{name} is Online, please try again later"})
    remove_contact(ctx.store, contact)
    return 200, EMPTY


async def destroy_custom_attributes(ctx: Ctx) -> Reply:
    """`custom_attributes.excluding(params[:custom_attributes])`, rendered as `{payload: contact}`."""
    contact = _contact(ctx)
    drop = set(str_list(ctx.params.get("custom_attributes")))
    kept = {key: value for key, value in contact.custom_attributes.items() if key not in drop}
    if kept != contact.custom_attributes:
        before = contact.custom_attributes
        contact.custom_attributes = kept
        ctx.engine.contact_updated(contact, {"custom_attributes": (before, kept)})
    return 200, {"payload": render.contact(ctx.store, contact, with_inboxes=True)}


async def export(ctx: Ctx) -> Reply:
    """Administrators; queues Account::ContactsExportJob (the sandbox mails no CSV) and answers `head :ok`."""
    ctx.require_admin()
    return 200, EMPTY


async def import_(ctx: Ctx) -> Reply:
    """Administrators; a multipart `import_file` becomes a data import (no API reads it back), none is 422."""
    ctx.require_admin()
    if not isinstance(ctx.params.get("import_file"), Upload):
        raise ApiError(422, {"error": "File is blank"})  # errors.contacts.import.failed
    return 200, EMPTY


async def avatar(ctx: Ctx) -> Reply:
    """`@contact.avatar.purge if @contact.avatar.attached?`, then the contact."""
    contact = _contact(ctx)
    if contact.avatar is not None:
        ctx.store.blobs.pop(contact.avatar.key, None)
        contact.avatar = None
    return 200, {"payload": render.contact(ctx.store, contact, with_inboxes=True)}


def register(router: Router) -> None:
    router.add("POST", ACCOUNT + r"/contacts/export", export, "contacts", "export")
    router.add("POST", ACCOUNT + r"/contacts/import", import_, "contacts", "import")
    router.add("DELETE", CONTACT, destroy, "contacts", "destroy")
    router.add("DELETE", CONTACT + r"/avatar", avatar, "contacts", "avatar")
    router.add(
        "POST",
        CONTACT + r"/destroy_custom_attributes",
        destroy_custom_attributes,
        "contacts",
        "destroy_custom_attributes",
    )
