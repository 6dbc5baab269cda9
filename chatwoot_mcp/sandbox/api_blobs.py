"""Uploaded files: ActiveStorage's direct uploads (create the blob, then PUT the file) and serving files back (the
blob redirect, here the file itself) for attachment and avatar URLs."""

from __future__ import annotations

import secrets
from urllib.parse import quote

from starlette.responses import Response

from .attachments import BLOB_PATH, DISK_PATH, SIGNED
from .errors import not_found, unprocessable
from .parsing import to_int
from .render_common import iso
from .routing import CONV, EMPTY, Ctx, Reply, Router
from .state import Blob


async def show(ctx: Ctx) -> Reply:
    blob = ctx.store.blobs.get(ctx.path["key"])
    if blob is None:
        raise not_found()
    return Response(blob.data, media_type=blob.content_type)


async def direct_upload(ctx: Ctx) -> Reply:
    """Conversations::DirectUploadsController (ActiveStorage::DirectUploadsController for a conversation the user
    may see): the blob's JSON with `signed_id` and where to PUT the file."""
    ctx.conversation()
    fields = ctx.params.get("blob")
    if not isinstance(fields, dict) or not fields.get("filename"):
        raise unprocessable("param is missing or the value is empty: blob")
    key = secrets.token_urlsafe(18)
    base = str(ctx.request.base_url).rstrip("/")
    filename = str(fields["filename"])
    content_type = str(fields.get("content_type") or "application/octet-stream")
    blob = Blob(key, filename, content_type, b"", f"{base}{BLOB_PATH}/{key}/{quote(filename)}")
    ctx.store.blobs[key] = blob
    return 200, {
        "id": ctx.store.next_id("blob"),
        "key": key,
        "filename": filename,
        "content_type": content_type,
        "metadata": {},
        "service_name": "local",
        "byte_size": to_int(fields.get("byte_size")),
        "checksum": fields.get("checksum"),
        "created_at": iso(ctx.store.now()),
        "signed_id": key + SIGNED,
        "direct_upload": {"url": f"{base}{DISK_PATH}/{key}", "headers": {"Content-Type": content_type}},
    }


async def disk_put(ctx: Ctx) -> Reply:
    """ActiveStorage::DiskController#update: the file's bytes for a blob made by a direct upload (204)."""
    blob = ctx.store.blobs.get(ctx.path["key"])
    if blob is None:
        raise not_found()
    blob.data = await ctx.request.body()
    return 204, EMPTY


def register(router: Router) -> None:
    router.add(
        "GET", BLOB_PATH + r"/(?P<key>[^/]+)/(?P<filename>[^/]+)", show, "active_storage/blobs", "show", "public"
    )
    router.add("PUT", DISK_PATH + r"/(?P<key>[^/]+)", disk_put, "active_storage/disk", "update", "public")
    router.add("POST", CONV + r"/direct_uploads", direct_upload, "conversations/direct_uploads", "create")
