"""Defining the account's labels (LabelsController#create, #update, #destroy, administrators only): the title is
downcased before validation, unique in the account, letters, digits, `-` and `_` only."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from . import render_library
from .errors import not_found, record_invalid, unprocessable
from .parsing import present, to_bool, to_int
from .routing import ACCOUNT, EMPTY, Ctx, Reply, Router
from .state import Label

# RegexHelper::UNICODE_CHARACTER_NUMBER_HYPHEN_UNDERSCORE
TITLE_FORMAT = re.compile(r"[\w-]+")
LABEL_ATTRIBUTES = ("title", "description", "color", "show_on_sidebar")


def _fields(ctx: Ctx) -> dict[str, Any]:
    """`params.require(:label).permit(...)`; ParamsWrapper wraps a flat JSON body's Label attributes as `label`."""
    fields = ctx.params.get("label")
    if not isinstance(fields, dict):
        fields = {key: ctx.params[key] for key in LABEL_ATTRIBUTES if key in ctx.params}
    if not fields:
        raise unprocessable("param is missing or the value is empty: label")
    return {key: fields[key] for key in LABEL_ATTRIBUTES if key in fields}


def _errors(ctx: Ctx, record: Label) -> list[str]:
    errors: list[str] = []
    if not record.title:
        errors.append("Title must not be blank")
    if not TITLE_FORMAT.fullmatch(record.title):
        errors.append("Title is invalid")
    elif any(x.account_id == ctx.account_id and x.title == record.title and x.id != record.id for x in _all(ctx)):
        errors.append("Title has already been taken")
    return errors


def _all(ctx: Ctx) -> list[Label]:
    return list(ctx.store.labels.values())


def _assigned(record: Label, fields: dict[str, Any]) -> Label:
    """The record with the permitted fields assigned (the title downcased, as Label's before_validation does)."""
    changes: dict[str, Any] = {}
    if "title" in fields:
        changes["title"] = str(fields["title"]).lower() if present(fields["title"]) else ""
    if "description" in fields:
        changes["description"] = None if fields["description"] is None else str(fields["description"])
    if "color" in fields:
        changes["color"] = str(fields["color"]) if present(fields["color"]) else record.color
    if "show_on_sidebar" in fields:
        sidebar = fields["show_on_sidebar"]
        changes["show_on_sidebar"] = None if sidebar is None else to_bool(sidebar)
    return replace(record, **changes)


def _label(ctx: Ctx) -> Label:
    label_id = to_int(ctx.path.get("label_id"))
    found = ctx.store.labels.get(label_id) if label_id is not None else None
    if found is None or found.account_id != ctx.account_id:
        raise not_found()
    return found


async def create(ctx: Ctx) -> Reply:
    """`create!`: an invalid label is 422 `{message, attributes}`."""
    ctx.require_admin()
    record = _assigned(Label(0, ctx.account_id, "", None, "#1f93ff", None), _fields(ctx))
    errors = _errors(ctx, record)
    if errors:
        raise record_invalid(errors, ["title"])
    record = replace(record, id=ctx.store.next_id("label"))
    ctx.store.labels[record.id] = record
    return 200, render_library.label(record)


async def update(ctx: Ctx) -> Reply:
    """`@label.update(permitted_params)` without a bang: an invalid change is not saved, yet the view renders the
    assigned values with 200. A new title renames the tag on the account's conversations and contacts
    (Labels::UpdateJob)."""
    ctx.require_admin()
    current = _label(ctx)
    record = _assigned(current, _fields(ctx))
    if _errors(ctx, record):
        return 200, render_library.label(record)
    ctx.store.labels[record.id] = record
    if record.title != current.title:
        _rename(ctx, current.title, record.title)
    return 200, render_library.label(record)


def _rename(ctx: Ctx, old: str, new: str) -> None:
    store = ctx.store
    for conv_id in sorted(store.conversation_index.by_label.get((ctx.account_id, old), set())):
        conv = store.conversations[conv_id]
        renamed = [new if label == old else label for label in conv.labels]
        ctx.engine.set_labels(conv, list(dict.fromkeys(renamed)), None)  # a job: no user, no activity
    for contact_id in sorted(store.contact_index.by_label.get((ctx.account_id, old), set())):
        contact = store.contacts[contact_id]
        contact.labels = list(dict.fromkeys(new if label == old else label for label in contact.labels))


async def destroy(ctx: Ctx) -> Reply:
    """`@label.destroy`, `head :ok`: the tag stays on the conversations and contacts that carry it."""
    ctx.require_admin()
    del ctx.store.labels[_label(ctx).id]
    return 200, EMPTY


def register(router: Router) -> None:
    router.add("POST", ACCOUNT + r"/labels", create, "labels", "create")
    router.add("PATCH", ACCOUNT + r"/labels/(?P<label_id>[^/]+)", update, "labels", "update")
    router.add("PUT", ACCOUNT + r"/labels/(?P<label_id>[^/]+)", update, "labels", "update")
    router.add("DELETE", ACCOUNT + r"/labels/(?P<label_id>[^/]+)", destroy, "labels", "destroy")
