"""Chatwoot's own e-mail and password sign-in (devise_token_auth's `POST /auth/sign_in`): the user's API access
token, for a service that lets people sign in the way they do in Chatwoot. The password is sent once and kept
nowhere, not even in an exception."""

from __future__ import annotations

import httpx2
from pydantic import SecretStr

from .errors import TransportError, UnexpectedResponseError, status_error

__all__ = ["sign_in_with_password"]

PATH = "/auth/sign_in"


async def sign_in_with_password(
    base_url: str,
    email: str,
    password: str,
    *,
    timeout: float = 10.0,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> SecretStr:
    """The signed-in user's `access_token` from the body (`{"data": {..., "access_token": ...}}`).

    Raises AuthenticationError (401: wrong e-mail or password), RateLimitedError, ServerError, TransportError,
    or UnexpectedResponseError when Chatwoot gives no token (e.g. it asks for a second factor)."""
    async with httpx2.AsyncClient(
        base_url=base_url.rstrip("/"), timeout=timeout, transport=transport, follow_redirects=False
    ) as http:
        try:
            response = await http.post(PATH, json={"email": email, "password": password})
        except httpx2.HTTPError as exc:
            raise TransportError(f"POST {PATH} failed: {type(exc).__name__}", method="POST", path=PATH) from None
    if not 200 <= response.status_code < 300:
        try:
            body = response.json()
        except ValueError:
            body = None
        errors = body.get("errors") if isinstance(body, dict) else None
        text = "; ".join(str(e) for e in errors)[:300] if isinstance(errors, list) else None
        raise status_error("POST", PATH, response.status_code, text)
    try:
        data = response.json().get("data")
    except (ValueError, AttributeError):
        data = None
    token = data.get("access_token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        raise UnexpectedResponseError(
            f"POST {PATH} → {response.status_code}, but the body has no access token (a second factor?)",
            method="POST",
            path=PATH,
            status=response.status_code,
        )
    return SecretStr(token)
