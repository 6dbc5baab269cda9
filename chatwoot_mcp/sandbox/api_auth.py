"""Sign-in with e-mail and password (devise_token_auth's `POST /auth/sign_in`, DeviseOverrides::SessionsController):
the body is the user as the profile renders it, with the API access token a console then uses."""

from __future__ import annotations

import hmac
import secrets

from starlette.responses import Response

from . import render
from .routing import Ctx, Reply, Router
from .webhooks import rails_json

BAD_CREDENTIALS = {"success": False, "errors": ["Invalid login credentials. Please try again."]}
TOKEN_LIFETIME = 60 * 60 * 24 * 60  # devise_token_auth's token_lifespan in Chatwoot: two months


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> Response:
    return Response(rails_json(body), status_code=status, media_type="application/json", headers=headers)


async def sign_in(ctx: Ctx) -> Reply:
    email = str(ctx.params.get("email") or "").strip().lower()  # devise's case_insensitive_keys
    password = str(ctx.params.get("password") or "")
    user = next((u for u in ctx.store.users.values() if u.email.lower() == email), None)
    # compare even without a user, so a wrong e-mail and a wrong password take the same time
    expected = user.password if user is not None and user.password else secrets.token_urlsafe(18)
    if user is None or not hmac.compare_digest(expected.encode(), password.encode()):
        return _json(401, BAD_CREDENTIALS)
    # devise_token_auth's session headers (the dashboard's); the sandbox accepts only `api_access_token`
    headers = {
        "access-token": secrets.token_urlsafe(16),
        "token-type": "Bearer",
        "client": secrets.token_urlsafe(16),
        "expiry": str(int(ctx.engine.clock.now()) + TOKEN_LIFETIME),
        "uid": user.email,
    }
    return _json(200, {"data": render.profile(ctx.store, user)}, headers)


def register(router: Router) -> None:
    router.add("POST", r"/auth/sign_in", sign_in, "devise_overrides/sessions", "create", scope="public")
