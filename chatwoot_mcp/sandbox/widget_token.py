"""Widget::TokenService: the widget's `X-Auth-Token`, a JWT signed HS256 with the secret key base."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

HEADER = {"alg": "HS256"}  # ruby-jwt's header for HS256 without a key id


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def generate(payload: dict[str, Any], key: str) -> str:
    """`JWT.encode(payload, secret_key_base, 'HS256')`: the same payload always gives the same token."""
    signing_input = f"{_b64(_compact(HEADER))}.{_b64(_compact(payload))}"
    signature = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def decode(token: str | None, key: str) -> dict[str, Any]:
    """`decode_token`: the payload, or `{}` for a missing, malformed or wrongly signed token (the service rescues
    every error)."""
    if not token or token.count(".") != 2:
        return {}
    head, body, signature = token.split(".")
    expected = hmac.new(key.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(_unb64(signature), expected):
            return {}
        header = json.loads(_unb64(head))
        payload = json.loads(_unb64(body))
    except (ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(header, dict) or header.get("alg") != "HS256" or not isinstance(payload, dict):
        return {}
    return payload
