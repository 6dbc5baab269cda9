"""Contacts (ContactsController, Contacts::ConversationsController): list, search, show, create, update and a
contact's conversations, answered from the store's contact index."""

from __future__ import annotations

import heapq
import re
from typing import Any

from . import attachments, render, render_inboxes
from .errors import not_found, record_invalid, unprocessable
from .indexes import LAST, SORT_FIELDS, company_name, resolved, sort_key
from .parsing import Upload, present, str_list, to_bool, to_int
from .routing import ACCOUNT, Ctx, Reply, Router
from .state import Contact, ContactInbox, Conversation, Store

PER_PAGE = 15  # ContactsController::RESULTS_PER_PAGE
CONVERSATIONS_LIMIT = 20  # Contacts::ConversationsController: `.order(id: :desc).limit(20)`
NAME_MAX = 255
E164 = re.compile(r"\+[1-9]\d{1,14}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")  # Devise.email_regexp
CONTACT = ACCOUNT + r"/contacts/(?P<contact_id>[^/]+)"


def _page(ctx: Ctx) -> int:
    number = to_int(ctx.params.get("page"))
    return number if number and number > 0 else 1


def _with_inboxes(ctx: Ctx) -> bool:
    value = ctx.params.get("include_contact_inboxes")
    return value == "true" or value is True if present(value) else True


def _order(sort: Any) -> tuple[str, bool] | None:
    """`sort` as Sift reads it: a field, `-` in front for descending; None for none or an unknown one."""
    text = str(sort) if present(sort) else ""
    field = text.removeprefix("-")
    return (field, text.startswith("-")) if field in SORT_FIELDS and field != "id" else None


def _ordered(contacts: list[Contact], sort: Any, wanted: int) -> list[Contact]:
    """The first `wanted` of a few contacts (a search's) in the order `sort` asks for, else by last activity,
    newest first; the list endpoint reads the same orders from the index."""
    field, descending = _order(sort) or ("last_activity_at", True)
    if not descending:
        return heapq.nsmallest(wanted, contacts, key=lambda c: (sort_key(c, field), c.id))
    present_rows = [c for c in contacts if sort_key(c, field) != LAST]
    absent = sorted((c for c in contacts if sort_key(c, field) == LAST), key=lambda c: c.id)
    return (heapq.nlargest(wanted, present_rows, key=lambda c: (sort_key(c, field), c.id)) + absent)[:wanted]


def _labelled(ctx: Ctx, labels: list[str], page: int) -> tuple[list[int], int]:
    """`resolved_contacts.tagged_with(labels, any: true)`: the labels' contacts from the index, in the asked order."""
    index = ctx.store.contact_index
    ids = set().union(*(index.by_label.get((ctx.account_id, label), set()) for label in labels))
    found = [ctx.store.contacts[i] for i in ids if resolved(ctx.store.contacts[i])]
    if _order(ctx.params.get("sort")) is None:
        rows = sorted(found, key=lambda c: c.id)[(page - 1) * PER_PAGE : page * PER_PAGE]
    else:
        rows = _ordered(found, ctx.params.get("sort"), page * PER_PAGE)[(page - 1) * PER_PAGE :]
    return [c.id for c in rows], len(found)


async def index(ctx: Ctx) -> Reply:
    """`resolved_contacts` (an e-mail, a phone number or an identifier), 15 a page, read from the contact index;
    with `labels`, only contacts tagged with any of them."""
    field, descending = _order(ctx.params.get("sort")) or ("id", False)
    page = _page(ctx)
    labels = str_list(ctx.params.get("labels"))
    if labels:
        ids, total = _labelled(ctx, labels, page)
    else:
        ids, total = ctx.store.contact_index.listing(ctx.account_id, field, descending, (page - 1) * PER_PAGE, PER_PAGE)
    with_inboxes = _with_inboxes(ctx)
    raw_page = ctx.params.get("page")
    return 200, {
        # `@current_page = params[:page] || 1`: the page as it was sent, a string, or the integer 1
        "meta": {"count": total, "current_page": raw_page if present(raw_page) else 1},
        "payload": [render.contact(ctx.store, ctx.store.contacts[i], with_inboxes=with_inboxes) for i in ids],
    }


def matches(contact: Contact, needle: str, original: str) -> bool:
    """`name/email/phone_number/additional_attributes->>'company_name' ILIKE %q%` or `identifier LIKE %q%` (case
    counts there), or the id itself."""
    fields = (contact.name, contact.email, contact.phone_number, company_name(contact))
    if any(f and needle in f.lower() for f in fields):
        return True
    return bool(contact.identifier and original in contact.identifier) or (
        original.isdigit() and contact.id == int(original)
    )


def search_ids(store: Store, account_id: int, original: str) -> set[int]:
    """The account's contacts the search matches: trigram candidates checked one by one, and the id itself."""
    needle = original.lower()
    contacts = store.contacts
    found = {
        i
        for i in store.contact_index.candidates(account_id, needle)
        if contacts[i].account_id == account_id and matches(contacts[i], needle, original)
    }
    if original.isdigit() and int(original) in contacts and contacts[int(original)].account_id == account_id:
        found.add(int(original))
    return found


async def search(ctx: Ctx) -> Reply:
    query = ctx.params.get("q")
    if not present(query):
        raise unprocessable("Specify search string with parameter q")
    found = [ctx.store.contacts[i] for i in search_ids(ctx.store, ctx.account_id, str(query).strip())]
    page = _page(ctx)
    ordered = _ordered(found, ctx.params.get("sort"), page * PER_PAGE + 1)
    rows = ordered[(page - 1) * PER_PAGE :]
    has_more = len(rows) > PER_PAGE
    rows = rows[:PER_PAGE]
    with_inboxes = _with_inboxes(ctx)
    return 200, {
        "meta": {"count": len(rows), "current_page": page, "has_more": has_more},
        "payload": [render.contact(ctx.store, c, with_inboxes=with_inboxes) for c in rows],
    }


def _contact(ctx: Ctx) -> Contact:
    contact_id = to_int(ctx.path.get("contact_id"))
    contact = ctx.store.contacts.get(contact_id) if contact_id is not None else None
    if contact is None or contact.account_id != ctx.account_id:
        raise not_found()
    return contact


async def show(ctx: Ctx) -> Reply:
    return 200, {"payload": render.contact(ctx.store, _contact(ctx), with_inboxes=True)}


def _text(params: dict[str, Any], key: str) -> str | None:
    value = params.get(key)
    return str(value).strip() if present(value) else None


def validate(store: Store, account_id: int, contact_id: int | None, values: dict[str, Any]) -> None:
    """Contact's validations, in the model's order: uniqueness per account, e-mail and E.164 formats."""
    errors: list[tuple[str, str]] = []
    index = store.contact_index
    email, phone, identifier = values.get("email"), values.get("phone_number"), values.get("identifier")
    if email and index.find(account_id, "email", email) not in (None, contact_id):
        errors.append(("email", "Email has already been taken"))
    if email and not EMAIL.fullmatch(email):
        errors.append(("email", "Email Invalid email"))
    if identifier and index.find(account_id, "identifier", identifier) not in (None, contact_id):
        errors.append(("identifier", "Identifier has already been taken"))
    if phone and index.find(account_id, "phone_number", phone) not in (None, contact_id):
        errors.append(("phone_number", "Phone number has already been taken"))
    if phone and not E164.fullmatch(phone):
        errors.append(("phone_number", "Phone number should be in e164 format"))
    if len(values.get("name") or "") > NAME_MAX:
        errors.append(("name", f"Name is too long (maximum is {NAME_MAX} characters)"))
    if errors:
        attributes = list(dict.fromkeys(attr for attr, _ in errors))
        raise record_invalid([message for _, message in errors], attributes)


def _hashes(params: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = params.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise unprocessable(f"{key} must be a hash")
    return value


async def create(ctx: Ctx) -> Reply:
    params = ctx.params
    values = {key: _text(params, key) for key in ("name", "email", "phone_number", "identifier")}
    if values["email"]:
        values["email"] = values["email"].lower()
    validate(ctx.store, ctx.account_id, None, values)
    inbox_id = to_int(params.get("inbox_id")) if present(params.get("inbox_id")) else None
    inbox = ctx.store.inboxes.get(inbox_id) if inbox_id is not None else None
    if inbox_id is not None and (inbox is None or inbox.account_id != ctx.account_id):
        raise not_found()
    contact = ctx.engine.create_contact(
        ctx.account_id,
        name=values["name"] or "",
        email=values["email"],
        phone_number=values["phone_number"],
        identifier=values["identifier"],
        custom_attributes=_hashes(params, "custom_attributes"),
    )
    contact.additional_attributes = _hashes(params, "additional_attributes") or {}
    contact.blocked = to_bool(params.get("blocked", False))
    contact_inbox: ContactInbox | None = None
    if inbox is not None:
        source_id = _text(params, "source_id")
        contact_inbox = ctx.engine.create_contact_inbox(contact, inbox.id, source_id)
    return 200, {
        "payload": {
            "contact": render.contact(ctx.store, contact, with_inboxes=True),
            "contact_inbox": {
                "inbox": render_inboxes.inbox_record(inbox, contact_inbox.created_at) if contact_inbox else None,
                "source_id": contact_inbox.source_id if contact_inbox else None,
            },
        }
    }


async def update(ctx: Ctx) -> Reply:
    contact = _contact(ctx)
    params = ctx.params
    values: dict[str, Any] = {}
    for key in ("name", "email", "phone_number", "identifier"):
        if key in params:
            values[key] = _text(params, key)
    if values.get("email"):
        values["email"] = values["email"].lower()
    validate(ctx.store, ctx.account_id, contact.id, values)
    changes: dict[str, tuple[Any, Any]] = {}

    def assign(key: str, value: Any) -> None:
        old = getattr(contact, key)
        if old != value:
            changes[key] = (old, value)
            setattr(contact, key, value)

    for key, value in values.items():
        assign(key, value if value is not None or key != "name" else "")
    custom = _hashes(params, "custom_attributes")
    if custom is not None:  # merged into the stored hash, as contact_update_params does
        assign("custom_attributes", {**contact.custom_attributes, **custom})
    additional = _hashes(params, "additional_attributes")
    if additional is not None:
        assign("additional_attributes", {**contact.additional_attributes, **additional})
    if "blocked" in params:
        assign("blocked", to_bool(params.get("blocked")))
    upload = params.get("avatar")
    if isinstance(upload, Upload):  # `avatar_url` would queue Avatar::AvatarFromUrlJob, which the sandbox does not run
        contact.avatar = attachments.keep(ctx.store, upload, str(ctx.request.base_url))
    if changes:
        ctx.engine.contact_updated(contact, changes)
    return 200, {"payload": render.contact(ctx.store, contact, with_inboxes=_with_inboxes(ctx))}


async def conversations(ctx: Ctx) -> Reply:
    """The contact's 20 newest conversations in the inboxes the user is assigned to (administrators: all)."""
    contact = _contact(ctx)
    user = ctx.user
    assert user is not None
    inbox_ids = {
        i.id
        for i in ctx.store.inboxes.values()
        if i.account_id == ctx.account_id and (user.is_admin or user.id in i.member_ids)
    }
    ids = sorted(ctx.store.conversation_index.by_contact.get(contact.id, ()), reverse=True)
    found: list[Conversation] = []
    for conv_id in ids:
        conv = ctx.store.conversations[conv_id]
        if conv.account_id == ctx.account_id and conv.inbox_id in inbox_ids:
            found.append(conv)
            if len(found) == CONVERSATIONS_LIMIT:
                break
    return 200, {"payload": [render.conversation(ctx.store, c, user) for c in found]}


def register(router: Router) -> None:
    # search before {contact_id}: the router takes the first pattern that matches
    router.add("GET", ACCOUNT + r"/contacts/search", search, "contacts", "search")
    router.add("GET", ACCOUNT + r"/contacts", index, "contacts", "index")
    router.add("POST", ACCOUNT + r"/contacts", create, "contacts", "create")
    router.add("GET", CONTACT, show, "contacts", "show")
    router.add("PUT", CONTACT, update, "contacts", "update")
    router.add("PATCH", CONTACT, update, "contacts", "update")
    router.add("GET", CONTACT + r"/conversations", conversations, "contacts/conversations", "index")
