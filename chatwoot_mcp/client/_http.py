"""Transport core: one pooled httpx2.AsyncClient, the auth header, retries with backoff, error mapping, logging."""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any, TypeVar

import anyio
import httpx2
import orjson
from pydantic import SecretStr, TypeAdapter, ValidationError

from .errors import TransportError, UnexpectedResponseError, status_error

__all__ = ["HTTPCore", "Params", "Sleep", "parse_retry_after", "validate"]

logger = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[Any]]
Params = Mapping[str, Any] | Sequence[tuple[str, Any]]

RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_BACKOFF = 8.0
# A Retry-After far in the future would hold a tool call hostage; past this we wait the cap and try once more.
MAX_RETRY_AFTER = 30.0
_ERROR_TEXT_LIMIT = 300


class HTTPCore:
    """Sends one logical request, retrying only when the caller says repeating it is safe."""

    def __init__(
        self,
        base_url: str,
        token: SecretStr,
        *,
        timeout: float,
        max_retries: int,
        backoff_base: float,
        transport: httpx2.AsyncBaseTransport | None,
        sleep: Sleep = anyio.sleep,
        user_agent: str,
        rng: random.Random | None = None,
    ) -> None:
        self._token = token
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._client = httpx2.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            headers={
                "api_access_token": token.get_secret_value(),
                "user-agent": user_agent,
                "accept": "application/json",
            },
            timeout=httpx2.Timeout(timeout, connect=min(timeout, 5.0)),
            # As many kept alive as may be open (fewer made every busy moment close connections and open new ones);
            # ten, as the pool probes each idle connection's socket on every request.
            limits=httpx2.Limits(max_connections=10, max_keepalive_connections=10, keepalive_expiry=30.0),
            transport=transport,
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json_body: Any = None,
        retry: bool,
    ) -> Any:
        """The decoded JSON body (None for an empty or `null` body); raises a ChatwootError otherwise."""
        attempts = 1 + (self.max_retries if retry else 0)
        kwargs: dict[str, Any] = {}
        if params:
            kwargs["params"] = params
        if json_body is not None:
            kwargs["json"] = json_body
        for attempt in range(1, attempts + 1):
            started = time.perf_counter()
            try:
                response = await self._client.request(method, path.lstrip("/"), **kwargs)
            except httpx2.HTTPError as exc:
                elapsed = _ms(started)
                logger.debug("%s %s → %s after %dms (attempt %d)", method, path, type(exc).__name__, elapsed, attempt)
                if isinstance(exc, httpx2.DecodingError):
                    raise UnexpectedResponseError(
                        f"{method} {path} failed: the body could not be decoded", method=method, path=path
                    ) from exc
                if isinstance(exc, httpx2.TransportError) and attempt < attempts:
                    await self._sleep(self._backoff(attempt, None))
                    continue
                raise TransportError(
                    f"{method} {path} failed: {self._describe(exc)}", method=method, path=path
                ) from exc
            logger.debug("%s %s → %d in %dms (attempt %d)", method, path, response.status_code, _ms(started), attempt)
            if response.status_code in RETRY_STATUSES and attempt < attempts:
                await self._sleep(self._backoff(attempt, parse_retry_after(response.headers.get("retry-after"))))
                continue
            return self._decode(method, path, response)
        raise AssertionError("unreachable: the last attempt always returns or raises")

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER)
        # Full jitter: spreads clients that failed together so they do not retry together.
        return self._rng.uniform(0.0, min(MAX_BACKOFF, self.backoff_base * 2 ** (attempt - 1)))

    def _decode(self, method: str, path: str, response: httpx2.Response) -> Any:
        status = response.status_code
        if 200 <= status < 300:
            if not response.content.strip():
                return None
            try:
                return _loads(response.content)
            except ValueError:
                raise UnexpectedResponseError(
                    f"{method} {path} → {status}, but the body is not JSON", method=method, path=path, status=status
                ) from None
        retry_after = parse_retry_after(response.headers.get("retry-after")) if status == 429 else None
        raise status_error(method, path, status, self._error_text(response), retry_after=retry_after)

    def _error_text(self, response: httpx2.Response) -> str | None:
        text: str | None = None
        try:
            body = _loads(response.content) if response.content.strip() else None
        except ValueError:
            body = None
            if response.headers.get("content-type", "").startswith("text/plain"):
                text = response.text.strip()
        if isinstance(body, dict):
            if isinstance(body.get("error"), str):
                text = body["error"]
            elif isinstance(body.get("errors"), list):
                text = "; ".join(str(item) for item in body["errors"])
            elif isinstance(body.get("message"), str):
                text = body["message"]
        elif isinstance(body, str):
            text = body
        if not text:
            return None
        return self._scrub(" ".join(text.split()))[:_ERROR_TEXT_LIMIT]

    def _describe(self, exc: Exception) -> str:
        detail = str(exc).strip()
        name = type(exc).__name__
        return self._scrub(f"{name}: {detail}" if detail else name)

    def _scrub(self, text: str) -> str:
        token = self._token.get_secret_value()
        return text.replace(token, "**********") if token else text


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None when absent or garbled."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@lru_cache(maxsize=128)
def _adapter(tp: Any) -> TypeAdapter[Any]:
    return TypeAdapter(tp)


def validate(tp: type[T] | Any, data: Any, *, method: str, path: str) -> T:
    """Parse a decoded body into `tp`, or raise UnexpectedResponseError naming the first bad field."""
    try:
        return _adapter(tp).validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise UnexpectedResponseError(
            f"{method} {path} → 2xx, but the body does not parse ({where}: {first['msg']})",
            method=method,
            path=path,
        ) from None


def _loads(content: bytes) -> Any:
    """orjson, a few times faster on Chatwoot's lists; json for what orjson refuses but json reads (a lone
    surrogate escape in stored customer text, NaN)."""
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return json.loads(content)


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
