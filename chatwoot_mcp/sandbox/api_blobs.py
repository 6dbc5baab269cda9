"""Serving uploaded files back (ActiveStorage's blob redirect, here the file itself): attachment and avatar URLs."""

from __future__ import annotations

from starlette.responses import Response

from .attachments import BLOB_PATH
from .errors import not_found
from .routing import Ctx, Reply, Router


async def show(ctx: Ctx) -> Reply:
    blob = ctx.store.blobs.get(ctx.path["key"])
    if blob is None:
        raise not_found()
    return Response(blob.data, media_type=blob.content_type)


def register(router: Router) -> None:
    router.add(
        "GET", BLOB_PATH + r"/(?P<key>[^/]+)/(?P<filename>[^/]+)", show, "active_storage/blobs", "show", "public"
    )
