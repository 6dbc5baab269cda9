"""Account labels and canned responses as Chatwoot renders them."""

from __future__ import annotations

from typing import Any

from .render_common import iso
from .state import CannedResponse, Label


def label(record: Label) -> dict[str, Any]:
    """`api/v1/models/_label`."""
    return {
        "id": record.id,
        "title": record.title,
        "description": record.description,
        "color": record.color,
        "show_on_sidebar": record.show_on_sidebar,
    }


def canned_response(record: CannedResponse) -> dict[str, Any]:
    """The record's attributes, as `render json:` writes them."""
    return {
        "id": record.id,
        "account_id": record.account_id,
        "short_code": record.short_code,
        "content": record.content,
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at),
    }
