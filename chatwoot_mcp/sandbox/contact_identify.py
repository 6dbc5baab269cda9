"""ContactIdentifyAction (app/actions/contact_identify_action.rb): the visitor says who they are, and the contact
merges into the contact that already holds the identifier, e-mail or phone number given, before taking the values.

Order and rules, as the action has them: identifier, then e-mail, then phone number, each looked up after the merges
before it; the contact found is the base (it survives) and the current contact the mergee. A merge is refused, and
that value dropped from the update, when an identifier is given and the found contact holds a different one, or (for
the phone number) when an e-mail is given and the phone number's contact holds a different e-mail. Then the given
values that are not blank are saved on the surviving contact, custom and additional attributes deep-merged into its
own. The public API never passes `identifier` (its controller drops it) nor `additional_attributes` (not permitted);
the widget's contact endpoints (`api_widget_contacts`) pass both, with `discard_invalid_attrs`.

The two flags: `retain_original_contact_name` keeps the surviving contact's name once any merge happened;
`discard_invalid_attrs` (Contact#discard_invalid_attrs) keeps the contact's own e-mail or phone number instead of a
given one of the wrong format, where the save would otherwise fail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .api_contact_merge import deep_merge, merge, save
from .api_contacts import E164, EMAIL, validate
from .parsing import present
from .state import Contact

if TYPE_CHECKING:
    from .domain import Engine

KEYS = ("identifier", "name", "email", "phone_number")  # @attributes_to_update
LOOKED_UP = ("identifier", "email", "phone_number")
HASHES = ("custom_attributes", "additional_attributes")


def _well_formed(field: str, value: str) -> bool:
    """Contact#phone_number_format and #email_format: the formats the model's validations check."""
    pattern = {"email": EMAIL, "phone_number": E164}.get(field)
    return pattern is None or pattern.fullmatch(value) is not None


def identify(
    engine: Engine,
    contact: Contact,
    params: dict[str, Any],
    *,
    retain_original_contact_name: bool = False,
    discard_invalid_attrs: bool = False,
) -> Contact:
    """ContactIdentifyAction#perform: the contact that remains. Raises the record-invalid error before anything
    changes, as the action's transaction rolls the merges back."""
    store = engine.store
    values = {key: str(params[key]).strip() for key in KEYS if present(params.get(key))}
    if discard_invalid_attrs:  # the contact's own value stays, and no contact holds a malformed one to merge with
        values = {key: value for key, value in values.items() if _well_formed(key, value)}
    kept = list(KEYS)

    def holder(field: str) -> Contact | None:
        """`account.contacts.find_by(field => value)`: compared as stored, so a differently cased e-mail finds no one."""
        value = values.get(field)
        found = store.contact_index.find(contact.account_id, field, value) if value else None
        other = store.contacts.get(found) if found is not None else None
        return other if other is not None and getattr(other, field) == value else None

    def refused(other: Contact, field: str) -> bool:
        identifier = values.get("identifier")
        clash = bool(identifier and other.identifier and other.identifier != identifier)
        email = values.get("email")  # the e-mail given outranks the phone number's contact
        if field == "phone_number" and email and other.email and other.email != email:
            clash = True
        if clash:
            kept.remove(field)
        return clash

    # a value some contact holds is merged into or dropped, so only the others can fail the save
    checked = {key: value for key, value in values.items() if key == "name" or holder(key) is None}
    if checked.get("email"):
        checked["email"] = checked["email"].lower()
    validate(store, contact.account_id, contact.id, checked)
    for field in LOOKED_UP:
        other = holder(field)
        if other is not None and not refused(other, field):
            contact = merge(engine, other, contact)
            if retain_original_contact_name and "name" in kept:
                kept.remove("name")
    updates: dict[str, Any] = {key: values[key] for key in kept if key in values}
    if updates.get("email"):
        updates["email"] = updates["email"].lower()  # Contact#prepare_email_attribute
    for key in HASHES:
        given = params.get(key)
        if isinstance(given, dict) and given:
            updates[key] = deep_merge(getattr(contact, key) or {}, given)
    save(engine, contact, updates)
    return contact
