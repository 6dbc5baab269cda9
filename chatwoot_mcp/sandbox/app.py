"""The Starlette app: faults, request log, routing, auth and error rendering around the handlers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute

from . import (
    api_account,
    api_account_settings,
    api_auth,
    api_blobs,
    api_campaigns,
    api_contact_actions,
    api_contact_labels,
    api_contact_merge,
    api_contact_queries,
    api_contacts,
    api_conversation_actions,
    api_conversation_lists,
    api_conversations,
    api_inbox_health,
    api_inbox_members,
    api_inboxes,
    api_label_writes,
    api_labels,
    api_last_seen,
    api_members,
    api_messages,
    api_participants,
    api_profile_settings,
    api_public,
    api_reporting_events,
    api_reports,
    api_twilio_channels,
    api_widget,
    api_widget_contacts,
    api_widget_conversations,
    api_widget_messages,
    request_locale,
)
from .auth import authenticate, check_account, token_kind
from .cable import Cable
from .control import Control
from .domain import Engine
from .errors import ROUTE_NOT_FOUND_HTML, SERVER_ERROR, ApiError
from .faults import Fault, FaultBook
from .parsing import form_body, merged_params, query_params, read_json, to_int
from .routing import EMPTY, Ctx, Router
from .seed import Secrets, SeedOptions
from .webhooks import Dispatcher, rails_json

logger = logging.getLogger(__name__)
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
LOG_LIMIT = 20_000  # long benchmark runs must not grow the request log without bound


def build_router() -> Router:
    router = Router()
    # first: /conversations/meta, /search and /filter would otherwise match /conversations/{id}
    api_conversation_lists.register(router)
    api_conversations.register(router)
    api_messages.register(router)
    api_contact_queries.register(router)
    api_contacts.register(router)
    api_contact_actions.register(router)
    api_contact_labels.register(router)
    api_contact_merge.register(router)
    api_conversation_actions.register(router)
    api_last_seen.register(router)
    api_members.register(router)
    api_labels.register(router)
    api_label_writes.register(router)
    api_reports.register(router)
    api_reporting_events.register(router)
    api_auth.register(router)
    api_account.register(router)
    api_inboxes.register(router)
    api_inbox_health.register(router)
    api_campaigns.register(router)
    api_inbox_members.register(router)
    api_account_settings.register(router)
    api_participants.register(router)
    api_profile_settings.register(router)
    api_twilio_channels.register(router)
    api_public.register(router)
    api_widget.register(router)
    api_widget_contacts.register(router)
    api_widget_conversations.register(router)
    api_widget_messages.register(router)
    api_blobs.register(router)
    return router


def _json(status: int, body: Any) -> Response:
    # Byte for byte as Rails renders (compact, <>& escaped); `render json: nil` is the body `null`.
    return Response(rails_json(body), status_code=status, media_type="application/json")


def _fault_response(fault: Fault) -> Response:
    assert fault.status is not None
    if fault.body is None:
        if fault.status == 429:
            response: Response = PlainTextResponse("Retry later\n", status_code=429)
        else:
            response = _json(fault.status, {"error": f"sandbox fault {fault.status}"})
    elif isinstance(fault.body, str):
        response = PlainTextResponse(fault.body, status_code=fault.status)
    else:
        response = _json(fault.status, fault.body)
    response.headers.update(fault.headers)
    return response


class SandboxApp:
    """Holds the engine and the per-process logs; `handle` serves every non-control request."""

    def __init__(
        self, keys: Secrets, options: SeedOptions, *, bot_retry_wait: float = 3.0, allow_private_network: bool = True
    ) -> None:
        self.dispatcher = Dispatcher(
            retry_wait=bot_retry_wait, on_failure=self._on_delivery_failure, allow_private_network=allow_private_network
        )
        self.engine = Engine(keys, options, self.dispatcher)
        self.router = build_router()
        self.faults = FaultBook()
        self.requests: list[dict[str, Any]] = []
        self.info: dict[str, Any] = {}
        self.control = Control(self.engine, self.faults, self.requests, self.info)
        self.cable = Cable(self.engine)
        self._group: anyio.abc.TaskGroup | None = None

    async def _on_delivery_failure(self, job: Any) -> None:
        await self.engine.on_delivery_failure(job)

    @asynccontextmanager
    async def lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        # Webhook deliveries keep as many connections alive as they may open (httpx2 keeps 20 by default), or a
        # burst closes and reopens them all the time; for less long than a receiver's own keep-alive (uvicorn: 5 s),
        # or a delivery may go out on a connection the receiver is closing.
        limits = httpx2.Limits(max_connections=100, max_keepalive_connections=100, keepalive_expiry=2.0)
        async with httpx2.AsyncClient(trust_env=False, limits=limits) as client, anyio.create_task_group() as group:
            self.dispatcher.start(group, client)
            self._group = group
            yield
            with anyio.move_on_after(2):
                while not self.dispatcher.idle:
                    await anyio.sleep(0.05)
            group.cancel_scope.cancel()

    def starlette(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/_sandbox/{name:path}", self.control.handle, methods=METHODS),
                WebSocketRoute("/cable", self.cable.endpoint),
                Route("/{path:path}", self.handle, methods=METHODS),
            ],
            lifespan=self.lifespan,
        )

    async def handle(self, request: Request) -> Response:
        token = request.headers.get("api_access_token") or request.headers.get("api-access-token")
        entry: dict[str, Any] = {
            "method": request.method,
            "path": request.url.path,
            "query": query_params(request),
            "status": None,
            "token": token_kind(self.engine.store, token),
            "json": None,
        }
        self.requests.append(entry)
        if len(self.requests) > LOG_LIMIT:
            del self.requests[: LOG_LIMIT // 10]
        try:
            body, _raw = await read_json(request)
            entry["json"] = body
            body = await form_body(request) if body is None else body
        except ApiError as exc:
            entry["status"] = exc.status
            return _json(exc.status, exc.body)
        fault = self.faults.take(request.method, request.url.path)
        if fault is not None:
            if fault.delay:
                await anyio.sleep(fault.delay)
            if fault.status is not None:
                entry["status"] = fault.status
                if fault.late and self._group is not None:
                    self._group.start_soon(self._carry_out_late, fault.late, request, token, body)
                return _fault_response(fault)
        response = await self._dispatch(request, token, body)
        entry["status"] = response.status_code
        return response

    async def _carry_out_late(self, late: float, request: Request, token: str | None, body: Any) -> None:
        await anyio.sleep(late)
        await self._dispatch(request, token, body)

    async def _dispatch(self, request: Request, token: str | None, body: Any) -> Response:
        matched = self.router.match(request.method, request.url.path)
        if matched is None:
            return HTMLResponse(ROUTE_NOT_FOUND_HTML, status_code=404)
        route, path = matched
        store = self.engine.store
        try:
            actor = None
            account_id = 0
            if route.scope != "public":
                actor = authenticate(store, token, route.controller, route.action)
            if route.scope == "account":
                account_id = check_account(store, actor, to_int(path.get("account_id")))  # type: ignore[arg-type]
            ctx = Ctx(self.engine, request, merged_params(query_params(request), body), path, actor, account_id)
            account = store.accounts.get(account_id)
            locale = request_locale.of_account(account.details) if account is not None else None
            request_locale.CURRENT.set(request_locale.choose(request.url.path, route.scope, ctx.params, locale))
            reply = await route.handler(ctx)
        except ApiError as exc:
            return _json(exc.status, exc.body)
        except Exception:  # the one catch-all: a sandbox bug must still answer like Rails, never hang up
            logger.exception("unhandled error in %s %s", request.method, request.url.path)
            return _json(500, SERVER_ERROR)
        if isinstance(reply, Response):
            return reply
        status, payload = reply
        if payload is EMPTY:
            return Response(b"", status_code=status)
        return _json(status, payload)
