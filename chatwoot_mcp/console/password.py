"""Sign-in with e-mail and password: Chatwoot's own sign-in gives the person's access token, and from there the
console goes on exactly as with a token typed in. The password is passed on once and kept nowhere."""

from __future__ import annotations

from pydantic import SecretStr

from chatwoot_mcp.client.auth import sign_in_with_password
from chatwoot_mcp.client.errors import (
    AuthenticationError,
    ChatwootError,
    RateLimitedError,
    UnexpectedResponseError,
    UnprocessableError,
)
from chatwoot_mcp.config import Settings
from chatwoot_mcp.console import texts


async def token_from_password(settings: Settings, email: str, password: str) -> SecretStr | str:
    """The person's access token, or the sentence saying why not."""
    if not settings.chatwoot_url:
        return texts.LOGIN_UNAVAILABLE.format(detail="CHATWOOT_URL")
    try:
        return await sign_in_with_password(settings.chatwoot_url, email, password)
    except (AuthenticationError, UnprocessableError):
        return texts.LOGIN_BAD_PASSWORD
    except RateLimitedError:
        return texts.LOGIN_TOO_MANY
    except UnexpectedResponseError:
        return texts.LOGIN_NO_TOKEN
    except ChatwootError as exc:
        return texts.LOGIN_UNAVAILABLE.format(detail=type(exc).__name__)
