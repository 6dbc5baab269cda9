"""Account labels (LabelsController) and canned responses (CannedResponsesController): what an agent picks from."""

from __future__ import annotations

from typing import Any

from . import render_library
from .errors import not_found
from .parsing import to_int
from .routing import ACCOUNT, Ctx, Reply, Router


def valid_labels(ctx: Ctx, posted: list[str]) -> list[str]:
    """LabelConcern#valid_labels: only titles of the account's Label records are kept, matched without case (Label
    titles are stored downcased); the others are dropped without an error."""
    defined = {x.title.lower(): x.title for x in ctx.store.labels.values() if x.account_id == ctx.account_id}
    kept: list[str] = []
    for label in posted:
        title = defined.get(label.lower())
        if title is not None and title not in kept:
            kept.append(title)
    return kept


async def labels_index(ctx: Ctx) -> Reply:
    found = sorted((x for x in ctx.store.labels.values() if x.account_id == ctx.account_id), key=lambda x: x.id)
    return 200, {"payload": [render_library.label(x) for x in found]}


async def labels_show(ctx: Ctx) -> Reply:
    ctx.require_admin()  # LabelPolicy#show?: administrators; #index? lets agents list them
    label_id = to_int(ctx.path.get("label_id"))
    found = ctx.store.labels.get(label_id) if label_id is not None else None
    if found is None or found.account_id != ctx.account_id:
        raise not_found()
    return 200, render_library.label(found)


async def canned_index(ctx: Ctx) -> Reply:
    """With `search`: short_code or content ILIKE %search%, those whose short code starts with it first."""
    found = sorted(
        (c for c in ctx.store.canned_responses.values() if c.account_id == ctx.account_id), key=lambda c: c.id
    )
    search: Any = ctx.params.get("search")
    if search is not None:
        needle = str(search).lower()
        found = [c for c in found if needle in c.short_code.lower() or needle in c.content.lower()]
        found.sort(key=lambda c: (not c.short_code.lower().startswith(needle), c.id))
    return 200, [render_library.canned_response(c) for c in found]


def register(router: Router) -> None:
    router.add("GET", ACCOUNT + r"/labels", labels_index, "labels", "index")
    router.add("GET", ACCOUNT + r"/labels/(?P<label_id>[^/]+)", labels_show, "labels", "show")
    router.add("GET", ACCOUNT + r"/canned_responses", canned_index, "canned_responses", "index")
