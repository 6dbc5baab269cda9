"""Exceptions raised by the Chatwoot client, one class per cause.

```
ChatwootError(message; .method, .path, .status, .error_text)
├── TransportError                       connect/read failures, timeouts
├── APIStatusError                       any non-2xx
│   ├── AuthenticationError      401
│   ├── PermissionDeniedError    403
│   ├── NotFoundError            404
│   ├── UnprocessableError       422
│   ├── RateLimitedError         429 (.retry_after)
│   └── ServerError              5xx
└── UnexpectedResponseError              2xx with a body that does not parse
```
"""

from __future__ import annotations

__all__ = [
    "APIStatusError",
    "AuthenticationError",
    "ChatwootError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "ServerError",
    "TransportError",
    "UnexpectedResponseError",
    "UnprocessableError",
    "status_error",
]


class ChatwootError(Exception):
    """Base class: what was asked (method, path without query) and what Chatwoot said."""

    def __init__(
        self,
        message: str,
        *,
        method: str,
        path: str,
        status: int | None = None,
        error_text: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.error_text = error_text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class TransportError(ChatwootError):
    """The request did not complete: connection refused or reset, timeout, protocol error."""


class APIStatusError(ChatwootError):
    """Chatwoot answered with a non-2xx status."""

    status: int


class AuthenticationError(APIStatusError):
    """401: bad token, a bot token on a user-only endpoint, or a resource the user may not see."""


class PermissionDeniedError(APIStatusError):
    """403."""


class NotFoundError(APIStatusError):
    """404: usually an id that does not exist in this account."""


class UnprocessableError(APIStatusError):
    """422: Chatwoot rejected the parameters."""


class RateLimitedError(APIStatusError):
    """429; `retry_after` is the server's hint in seconds, when it gave one."""

    def __init__(
        self,
        message: str,
        *,
        method: str,
        path: str,
        status: int = 429,
        error_text: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, method=method, path=path, status=status, error_text=error_text)
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """5xx."""


class UnexpectedResponseError(ChatwootError):
    """A 2xx whose body is not the JSON shape Chatwoot documents."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: UnprocessableError,
    429: RateLimitedError,
}


def status_error(
    method: str, path: str, status: int, error_text: str | None, *, retry_after: float | None = None
) -> APIStatusError:
    """The exception for a non-2xx answer, with a one-line message such as `GET /x → 404: Not found`."""
    message = f"{method} {path} → {status}"
    if error_text:
        message += f": {error_text}"
    if status == 429:
        return RateLimitedError(
            message, method=method, path=path, status=status, error_text=error_text, retry_after=retry_after
        )
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else APIStatusError)
    return cls(message, method=method, path=path, status=status, error_text=error_text)
