"""Rails-like request parameters: query string and JSON body merged, with lenient scalar coercion."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from .errors import ApiError


class BadRequest(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(400, {"error": message})


def query_params(request: Request) -> dict[str, Any]:
    """`labels[]=a&labels[]=b` becomes `{"labels": ["a", "b"]}`, as Rack parses it."""
    params: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        if key.endswith("[]"):
            params.setdefault(key[:-2], []).append(value)
        else:
            params[key] = value
    return params


async def read_json(request: Request) -> tuple[Any, bytes]:
    raw = await request.body()
    if not raw.strip():
        return None, raw
    content_type = request.headers.get("content-type", "")
    if "json" not in content_type and not raw.lstrip().startswith((b"{", b"[")):
        return None, raw
    try:
        return json.loads(raw), raw
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"Error occurred while parsing request parameters: {exc}") from None


@dataclass(frozen=True)
class Upload:
    """A file sent in a multipart body (ActionDispatch::Http::UploadedFile)."""

    filename: str
    content_type: str
    data: bytes


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
NESTED_KEY = re.compile(r"[^\[\]]+|\[\]")


def _assign(target: dict[str, Any], parts: list[str], value: Any) -> None:
    """Rack's normalize_params: `a[b]` nests a hash, `a[]` appends, `a[][b]` starts a new hash when `b` is taken."""
    head, rest = parts[0], parts[1:]
    if not rest:
        target[head] = value
        return
    if rest[0] == "[]":
        items = target.get(head)
        if not isinstance(items, list):
            items = target[head] = []
        if len(rest) == 1:
            items.append(value)
            return
        if not items or not isinstance(items[-1], dict) or rest[1] in items[-1]:
            items.append({})
        _assign(items[-1], rest[1:], value)
        return
    nested = target.get(head)
    if not isinstance(nested, dict):
        nested = target[head] = {}
    _assign(nested, rest, value)


async def form_body(request: Request) -> dict[str, Any] | None:
    """A form body as Rack nests it (`a[b]=1` is `{"a": {"b": "1"}}`, `a[]` a list), files as Uploads; None when
    the body is not a form."""
    if not request.headers.get("content-type", "").startswith(FORM_TYPES):
        return None
    params: dict[str, Any] = {}
    for key, value in (await request.form()).multi_items():
        if isinstance(value, UploadFile):
            value = Upload(
                value.filename or "file", value.content_type or "application/octet-stream", await value.read()
            )
        parts = NESTED_KEY.findall(key)
        _assign(params, parts if parts and parts[0] != "[]" else [key], value)
    return params


def merged_params(query: dict[str, Any], body: Any) -> dict[str, Any]:
    params = dict(query)
    if isinstance(body, dict):
        params.update(body)
    elif body is not None:
        params["_json"] = body
    return params


def present(value: Any) -> bool:
    """Rails' `present?`: not nil, not blank string, not empty collection."""
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, dict)):
        return bool(value)
    return True


def to_int(value: Any) -> int | None:
    """`"12"` and `12` become 12; anything else None (Rails' find then misses: 404)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text.startswith("-") else text
        if digits.isdigit():
            return int(text)
    return None


def to_bool(value: Any) -> bool:
    """ActiveModel boolean casting: "false", "0", "f", "off", "" and false are false."""
    if isinstance(value, str):
        return value.strip().lower() not in {"", "false", "0", "f", "off", "no", "n"}
    return bool(value)


def str_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return [str(value)]
