"""Uploaded files: blobs kept in memory and served back, message attachments, and how Chatwoot renders them."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

from .parsing import Upload
from .state import Attachment, Blob, Store

BLOB_PATH = "/rails/active_storage/blobs/redirect"
DISK_PATH = "/rails/active_storage/disk"  # where a direct upload PUTs the file
SIGNED = "--sandbox"  # a blob's signed_id is its key with this suffix
IMAGES = ("image/jpeg", "image/png", "image/gif", "image/bmp", "image/webp")  # FileTypeHelper#image_file?
VIDEOS = ("video/ogg", "video/mp4", "video/webm", "video/quicktime")  # FileTypeHelper#video_file?


def file_type(content_type: str) -> str:
    """FileTypeHelper#file_type."""
    if content_type in IMAGES:
        return "image"
    if content_type in VIDEOS:
        return "video"
    if "audio/" in content_type:
        return "audio"
    return "file"


def keep(store: Store, upload: Upload, base_url: str) -> Blob:
    key = secrets.token_urlsafe(18)
    url = f"{base_url.rstrip('/')}{BLOB_PATH}/{key}/{quote(upload.filename)}"
    blob = Blob(key, upload.filename, upload.content_type, upload.data, url)
    store.blobs[key] = blob
    return blob


def uploads(store: Store, value: Any) -> list[Upload | Blob]:
    """`params[:attachments]`: uploaded files, and signed ids of directly uploaded blobs (DIRECT_UPLOAD_ENABLED);
    anything else is skipped, as an unknown signed id finds no blob."""
    found: list[Upload | Blob] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, Upload):
            found.append(item)
        elif isinstance(item, str) and item.endswith(SIGNED) and item.removesuffix(SIGNED) in store.blobs:
            found.append(store.blobs[item.removesuffix(SIGNED)])
    return found


def build(
    store: Store, account_id: int, files: list[Upload | Blob], base_url: str, meta: dict[str, Any]
) -> list[Attachment]:
    """Attachments for a message about to be created (its id is filled in when it is)."""
    built = []
    for item in files:
        blob = item if isinstance(item, Blob) else keep(store, item, base_url)
        built.append(
            Attachment(store.next_id("attachment"), account_id, 0, file_type(blob.content_type), blob, dict(meta))
        )
    return built


def push(record: Attachment) -> dict[str, Any]:
    """Attachment#push_event_data for a file: width and height wait for ActiveStorage's analysis, so null."""
    blob = record.blob
    return {
        "id": record.id,
        "message_id": record.message_id,
        "file_type": record.file_type,
        "account_id": record.account_id,
        "extension": None,
        "data_url": blob.url,
        "thumb_url": blob.url if record.file_type == "image" else "",
        "file_size": len(blob.data),
        "width": None,
        "height": None,
    }


def rendered(records: list[Attachment]) -> dict[str, Any]:
    """The `attachments` key messages carry only when they have any."""
    return {"attachments": [push(a) for a in records]} if records else {}
