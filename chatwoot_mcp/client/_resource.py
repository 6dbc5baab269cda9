"""Base of every resource: the shared HTTP core, the account prefix, and checks on ids and response shapes."""

from __future__ import annotations

from typing import Any, TypeVar

from ._http import HTTPCore, Params, validate
from .errors import UnexpectedResponseError

T = TypeVar("T")


def ident(value: object, what: str) -> int:
    """A positive integer id for a URL path; anything else is the caller's mistake, said plainly."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{what} must be a positive integer, got {value!r}")
    return value


class Resource:
    def __init__(self, http: HTTPCore, account_id: int) -> None:
        self._http = http
        self._account = f"/api/v1/accounts/{account_id}"

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json_body: Any = None,
        retry: bool | None = None,
    ) -> Any:
        """`retry` defaults to True for GET only; writes opt in when repeating them is harmless."""
        return await self._http.request(
            method, path, params=params, json_body=json_body, retry=method == "GET" if retry is None else retry
        )

    @staticmethod
    def _parse(tp: type[T] | Any, data: Any, method: str, path: str) -> T:
        return validate(tp, data, method=method, path=path)

    @staticmethod
    def _field(data: Any, key: str, method: str, path: str) -> Any:
        """`data[key]`, or UnexpectedResponseError when the body is not an object holding that key."""
        if not isinstance(data, dict) or key not in data:
            raise UnexpectedResponseError(
                f"{method} {path} → 2xx, but the body has no {key!r}", method=method, path=path
            )
        return data[key]
