"""Contact queries beyond list and search (ContactsController#filter, #active, #contactable_inboxes)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from . import render, render_inboxes
from .api_contact_actions import CONTACT, _contact
from .api_contacts import PER_PAGE, _ordered, _with_inboxes
from .errors import unprocessable
from .indexes import resolved
from .parsing import present, to_bool, to_int
from .presence import available_contact_ids
from .routing import ACCOUNT, Ctx, Reply, Router
from .state import Contact

TEXT = ("equal_to", "not_equal_to", "contains", "does_not_contain")
DATE = ("is_greater_than", "is_less_than", "days_before")
# lib/filters/filter_keys.yml, contacts: attribute -> its operators; the 422 names the attribute's own list
OPERATORS: dict[str, tuple[str, ...]] = {
    "name": TEXT,
    "phone_number": (*TEXT, "starts_with"),
    "email": TEXT,
    "identifier": ("equal_to", "not_equal_to"),
    "country_code": ("equal_to", "not_equal_to"),
    "city": TEXT,
    "company": TEXT,
    "labels": ("equal_to", "not_equal_to", "is_present", "is_not_present"),
    "created_at": DATE,
    "last_activity_at": DATE,
    "blocked": ("equal_to", "not_equal_to"),
}
ADDITIONAL = {"country_code", "city", "company"}  # attribute_type additional_attributes: additional_attributes->>key
NO_VALUES = {"is_present", "is_not_present"}


def _actual(contact: Contact, key: str) -> Any:
    if key in ADDITIONAL:
        return (contact.additional_attributes or {}).get(key)
    return getattr(contact, key)


def _date(value: Any) -> float | None:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def _matches(contact: Contact, key: str, operator: str, values: list[Any]) -> bool:
    actual = _actual(contact, key)
    if key == "labels":
        if operator in NO_VALUES:
            return bool(actual) == (operator == "is_present")
        hit = any(label in values for label in actual)
        return hit if operator == "equal_to" else not hit
    if key in ("created_at", "last_activity_at"):
        if actual is None:
            return False
        if operator == "days_before":
            days = to_int(values[0])
            return days is not None and actual < time.time() - days * 86400
        bound = _date(values[0])
        return bound is not None and (actual > bound if operator == "is_greater_than" else actual < bound)
    if key == "blocked":
        hit = bool(actual) == to_bool(values[0])
        return hit if operator == "equal_to" else not hit
    text = str(actual).lower() if actual is not None else None  # text_case_insensitive: LOWER(column)
    wanted = [str(v).lower() for v in values]
    if operator in ("equal_to", "not_equal_to"):
        hit = text is not None and text in wanted
        return hit if operator == "equal_to" else not hit
    if operator == "starts_with":
        return text is not None and text.startswith(wanted[0])
    hit = text is not None and any(w in text for w in wanted)
    return hit if operator == "contains" else not hit


def _rules(params: dict[str, Any]) -> list[tuple[str, str, list[Any], str]]:
    rules = params.get("payload")
    if not isinstance(rules, list) or not rules:
        raise unprocessable("param is missing or the value is empty: payload")
    parsed: list[tuple[str, str, list[Any], str]] = []
    for rule in rules:
        if not isinstance(rule, dict):
            raise unprocessable("Invalid filter payload")
        key, operator = rule.get("attribute_key"), rule.get("filter_operator")
        if key not in OPERATORS:
            raise unprocessable(f"Invalid attribute key - [{key}]")
        if operator not in OPERATORS[key]:
            raise unprocessable(f"Invalid operator. The allowed operators for {key} are [{','.join(OPERATORS[key])}].")
        values = rule.get("values")
        values = values if isinstance(values, list) else ([] if values is None else [values])
        values = [v.get("id") if isinstance(v, dict) else v for v in values if present(v)]
        if not values and operator not in NO_VALUES:
            raise unprocessable(f"Invalid value. The values provided for {key} are invalid")
        parsed.append((key, operator, values, str(rule.get("query_operator") or "AND").upper()))
    return parsed


async def filter_(ctx: Ctx) -> Reply:
    """Contacts::FilterService over the account's resolved contacts, 15 a page, as the list renders them."""
    rules = _rules(ctx.params)
    found: list[Contact] = []
    for contact in ctx.store.contacts.values():
        if contact.account_id != ctx.account_id or not resolved(contact):
            continue
        outcome, joiner = _matches(contact, *rules[0][:3]), rules[0][3]
        for key, operator, values, next_joiner in rules[1:]:
            hit = _matches(contact, key, operator, values)
            outcome = (outcome or hit) if joiner == "OR" else (outcome and hit)
            joiner = next_joiner
        if outcome:
            found.append(contact)
    number = to_int(ctx.params.get("page"))
    page = number if number and number > 0 else 1
    rows = _ordered(found, ctx.params.get("sort"), page * PER_PAGE)[(page - 1) * PER_PAGE :]
    with_inboxes = _with_inboxes(ctx)
    return 200, {
        "meta": {"count": len(found), "current_page": page},
        "payload": [render.contact(ctx.store, c, with_inboxes=with_inboxes) for c in rows],
    }


async def active(ctx: Ctx) -> Reply:
    """`Current.account.contacts.where(id: OnlineStatusTracker.get_available_contact_ids)`: contacts a widget keeps
    online over `/cable` (RoomChannel), a page of 15 in id order."""
    page = max(to_int(ctx.params.get("page")) or 1, 1)
    ids = sorted(i for i in available_contact_ids(ctx.store, ctx.account_id) if i in ctx.store.contacts)
    rows = [ctx.store.contacts[i] for i in ids[(page - 1) * PER_PAGE : page * PER_PAGE]]
    return 200, {
        "meta": {"count": len(ids), "current_page": page},
        "payload": [render.contact(ctx.store, c, with_inboxes=True) for c in rows],
    }


async def contactable_inboxes(ctx: Ctx) -> Reply:
    """Contacts::ContactableInboxesService for API inboxes (the contact's latest source id there, else a new uuid),
    kept to the inboxes the user may see (InboxPolicy#show?: administrators, members)."""
    contact = _contact(ctx)
    user = ctx.user
    assert user is not None
    payload = []
    for inbox in sorted(ctx.store.inboxes.values(), key=lambda i: i.id):
        if inbox.account_id != ctx.account_id or not (user.is_admin or user.id in inbox.member_ids):
            continue
        latest = [ci for ci in ctx.store.contact_inboxes_of(contact.id) if ci.inbox_id == inbox.id]
        source_id = latest[-1].source_id if latest else str(uuid.uuid4())
        payload.append({"source_id": source_id, "inbox": render_inboxes.inbox(ctx.store, inbox, admin=user.is_admin)})
    return 200, {"payload": payload}


def register(router: Router) -> None:
    # before api_contacts: /contacts/active would otherwise match /contacts/{id}
    router.add("POST", ACCOUNT + r"/contacts/filter", filter_, "contacts", "filter")
    router.add("GET", ACCOUNT + r"/contacts/active", active, "contacts", "active")
    router.add("GET", CONTACT + r"/contactable_inboxes", contactable_inboxes, "contacts", "contactable_inboxes")
