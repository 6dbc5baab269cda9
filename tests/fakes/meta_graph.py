"""A fake of Meta's Graph API for WhatsApp Cloud phone numbers: `GET /{version}/{id}?fields=…&access_token=…`.

Tests register phone numbers with the token that may read them, revoke tokens, and script failures; it answers
with Graph's error bodies (OAuthException 190 for a refused token, GraphMethodException 100 for an object the token
cannot see) and records what it was asked. It imports nothing from the project.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .threaded import ThreadedServer

_trace = itertools.count(1)
EXPIRED = "Error validating access token: Session has expired on Tuesday, 01-Dec-26 10:00:00 PST."
UNEXPECTED = "An unexpected error has occurred. Please retry your request later."


@dataclass(frozen=True)
class GraphRequest:
    method: str
    path: str
    query: dict[str, str]

    @property
    def fields(self) -> list[str]:
        return [f for f in self.query.get("fields", "").split(",") if f]


def graph_error(message: str, kind: str, code: int, subcode: int | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = f"AFakeTrace{next(_trace)}"
    return {"error": error}


def phone_number(phone_number_id: str, display: str, **overrides: Any) -> dict[str, Any]:
    """A WhatsApp Business phone number as Graph describes it, in good health unless `overrides` say otherwise."""
    return {
        "id": phone_number_id,
        "display_phone_number": display,
        "verified_name": "Acme Suporte",
        "name_status": "APPROVED",
        "quality_rating": "GREEN",
        "messaging_limit_tier": "TIER_1K",
        "code_verification_status": "VERIFIED",
        "account_mode": "LIVE",
        "platform_type": "CLOUD_API",
        "throughput": {"level": "STANDARD"},
        "last_onboarded_time": "2026-06-01T12:00:00+0000",
        "webhook_configuration": {"application": "https://chatwoot.example.com/webhooks/whatsapp"},
        **overrides,
    }


class FakeMetaGraph:
    """`with FakeMetaGraph() as meta:` serves on a free port; `meta.url` replaces https://graph.facebook.com."""

    def __init__(self) -> None:
        self._objects: dict[str, tuple[str, dict[str, Any]]] = {}  # id -> (token that may read it, fields)
        self._revoked: set[str] = set()
        self._failures: deque[tuple[int, dict[str, Any]]] = deque()
        self._requests: list[GraphRequest] = []
        self._lock = threading.Lock()
        app = Starlette(routes=[Route("/{version}/{object_id}", self._read, methods=["GET"])])
        self._server = ThreadedServer(app, "fake-meta-graph")

    @property
    def url(self) -> str:
        return self._server.url

    def add(self, token: str, data: dict[str, Any]) -> None:
        with self._lock:
            self._objects[str(data["id"])] = (token, dict(data))

    def revoke(self, token: str) -> None:
        """The token is refused from now on (expired, or the user took the app's access away)."""
        with self._lock:
            self._revoked.add(token)

    def fail_next(self, status: int = 500, body: dict[str, Any] | None = None) -> None:
        with self._lock:
            self._failures.append((status, body or graph_error(UNEXPECTED, "OAuthException", 2)))

    def reset(self) -> None:
        with self._lock:
            self._objects.clear()
            self._revoked.clear()
            self._failures.clear()
            self._requests.clear()

    @property
    def requests(self) -> list[GraphRequest]:
        with self._lock:
            return list(self._requests)

    def __enter__(self) -> FakeMetaGraph:
        self._server.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.stop()

    async def _read(self, request: Request) -> JSONResponse:
        query = dict(request.query_params)
        with self._lock:
            self._requests.append(GraphRequest("GET", request.url.path, query))
            failure = self._failures.popleft() if self._failures else None
            found = self._objects.get(request.path_params["object_id"])
            revoked = query.get("access_token") in self._revoked
        if failure is not None:
            return JSONResponse(failure[1], status_code=failure[0])
        token = query.get("access_token")
        if not token:
            return JSONResponse(
                graph_error("An access token is required to request this resource.", "OAuthException", 104), 400
            )
        if revoked:
            return JSONResponse(graph_error(EXPIRED, "OAuthException", 190, 463), 400)
        if found is None or found[0] != token:
            object_id = request.path_params["object_id"]
            message = (
                f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
                "missing permissions, or does not support this operation."
            )
            return JSONResponse(graph_error(message, "GraphMethodException", 100, 33), 400)
        data = found[1]
        fields = [f for f in query.get("fields", "").split(",") if f] or ["id"]
        return JSONResponse({"id": data["id"], **{f: data[f] for f in fields if f in data}})
