"""The web widget's contact (`Api::V1::Widget::ContactsController`): the visitor's contact as the widget sees it,
its update through ContactIdentifyAction and `set_user`, the SDK's identification with an identifier and, when the
inbox asks for it, the identifier's HMAC.

Read from the code index's newest stored upstream controller (secure comparison of the hash,
`validate_hmac_for_identified_update`) with the spec that tests it. The index keeps several versions of the views and
no commit for them; the one kept here writes `has_email`, `has_name` and `has_phone_number` in place of the values,
which is what that spec reads. Whether the update view also writes `identifier` (the show view does) is not clear
from the index; it is left out."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from . import render_records
from .api_contact_merge import save
from .api_widget import WIDGET, new_visitor, session_token, visitor
from .contact_identify import identify
from .errors import unauthorized
from .parsing import present
from .routing import Ctx, Reply, Router
from .state import Contact, Inbox

SCALARS = ("identifier", "email", "name", "avatar_url", "phone_number")  # permitted_params, less the tokens
HASHES = ("custom_attributes", "additional_attributes")
HMAC_FAILED = {"error": "HMAC failed: Invalid Identifier Hash Provided"}


def _ruby_s(value: Any) -> str:
    """`value.to_s` for what JSON can carry as an identifier: nil is the empty string."""
    return "" if value is None else str(value)


def _should_verify_hmac(ctx: Ctx, inbox: Inbox) -> bool:
    params = ctx.params
    if not present(params.get("identifier_hash")) and not inbox.channel.get("hmac_mandatory"):
        return False
    # the controller skips the check for custom attributes sent without an identifier
    return not (present(params.get("custom_attributes")) and not present(params.get("identifier")))


def _valid_hmac(ctx: Ctx, inbox: Inbox) -> bool:
    """The hash is the hex HMAC-SHA256 of the identifier under the widget's `hmac_token`."""
    key = inbox.channel["hmac_token"].encode()
    expected = hmac.new(key, _ruby_s(ctx.params.get("identifier")).encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(_ruby_s(ctx.params.get("identifier_hash")).encode(), expected.encode())


def _validate_hmac(ctx: Ctx, inbox: Inbox) -> None:
    """`validate_hmac`: 401 with the controller's error when the hash is checked and wrong."""
    if _should_verify_hmac(ctx, inbox) and not _valid_hmac(ctx, inbox):
        raise unauthorized(HMAC_FAILED)


def _identify(ctx: Ctx, contact: Contact) -> Contact:
    """`identify_contact`: ContactIdentifyAction with the permitted params and `discard_invalid_attrs: true`."""
    params: dict[str, Any] = {key: ctx.params[key] for key in SCALARS if isinstance(ctx.params.get(key), str | int)}
    params.update({key: ctx.params[key] for key in HASHES if isinstance(ctx.params.get(key), dict)})
    return identify(ctx.engine, contact, params, discard_invalid_attrs=True)


def _flags(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "has_email": present(contact.email),
        "has_name": present(contact.name),
        "has_phone_number": present(contact.phone_number),
    }


async def show(ctx: Ctx) -> Reply:
    """ContactsController#show (`show.json.jbuilder`)."""
    _, _, contact = visitor(ctx)
    return 200, {**_flags(contact), "identifier": contact.identifier}


async def update(ctx: Ctx) -> Reply:
    """ContactsController#update: the HMAC is checked only when an identifier is given (the widget's anonymous
    pre-chat form updates without one on HMAC-mandatory inboxes too)."""
    inbox, _, contact = visitor(ctx)
    if present(ctx.params.get("identifier")):
        _validate_hmac(ctx, inbox)
    return 200, _flags(_identify(ctx, contact))


async def set_user(ctx: Ctx) -> Reply:
    """ContactsController#set_user: a session whose contact holds another identifier moves to a new anonymous
    contact and contact inbox, answered with its new `widget_auth_token`; the contact inbox is marked HMAC-verified
    when the hash was checked; then the contact is identified (merging into the identifier's holder)."""
    inbox, ci, contact = visitor(ctx)
    _validate_hmac(ctx, inbox)
    token = None
    if present(contact.identifier) and contact.identifier != ctx.params.get("identifier"):
        ci = new_visitor(ctx, inbox)
        contact, token = ctx.store.contacts[ci.contact_id], session_token(ctx, inbox, ci)
    if _should_verify_hmac(ctx, inbox):
        ci.hmac_verified = True
    body = _flags(_identify(ctx, contact))
    return 200, {**body, "widget_auth_token": token} if token else body


def _excluding(attributes: dict[str, Any], given: Any) -> dict[str, Any]:
    """`custom_attributes.excluding(params[:custom_attributes])`. ActiveSupport's Enumerable#excluding flattens its
    arguments one level and calls `reject { |element| elements.include?(element) }`; on a Hash that is Hash#reject,
    which yields key and value to a block taking one argument as the key alone. So the keys named in the array are
    removed (a single name counts as an array of one) and nothing else: values, and names of no key, change nothing."""
    names = given if isinstance(given, list) else [given]
    return {key: value for key, value in attributes.items() if key not in names}


async def destroy_custom_attributes(ctx: Ctx) -> Reply:
    """ContactsController#destroy_custom_attributes: the visitor's contact without the custom attributes named, saved
    (`contact_updated` when one was removed), answered as `render json: @contact`, the model's columns (those the
    sandbox keeps)."""
    _, _, contact = visitor(ctx)
    save(
        ctx.engine,
        contact,
        {"custom_attributes": _excluding(contact.custom_attributes, ctx.params.get("custom_attributes"))},
    )
    return 200, render_records.contact(contact)


def register(router: Router) -> None:
    router.add("GET", WIDGET + r"/contact", show, "widget/contacts", "show", scope="public")
    router.add("PATCH", WIDGET + r"/contact", update, "widget/contacts", "update", scope="public")
    router.add("PATCH", WIDGET + r"/contact/set_user", set_user, "widget/contacts", "set_user", scope="public")
    # `resource :contact` with `collection { post :destroy_custom_attributes }`: under /contact, as set_user is
    router.add(
        "POST",
        WIDGET + r"/contact/destroy_custom_attributes",
        destroy_custom_attributes,
        "widget/contacts",
        "destroy_custom_attributes",
        scope="public",
    )
