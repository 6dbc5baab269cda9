"""`create_app(settings)`: the console's Starlette app; its lifespan owns the people's tool sessions and
registers the console's account webhook."""

from __future__ import annotations

import logging
import secrets
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatwoot_mcp.console import auth, conversation, pages, stats_page, texts
from chatwoot_mcp.console.live import Hub, WebhookIntake, event_stream
from chatwoot_mcp.console.register import EVENTS, register_webhook
from chatwoot_mcp.console.sessions import SessionStore
from chatwoot_mcp.console.settings import ConsoleSettings
from chatwoot_mcp.console.web import (
    HERE,
    Console,
    console_of,
    current_session,
    login_redirect,
)
from chatwoot_mcp.ratelimit import SlidingWindow

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/chatwoot"
BASE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'"
)


class SecurityHeaders:
    """A Content-Security-Policy without inline scripts on every response; only /embed may be framed, and only
    by the configured Chatwoot origin."""

    def __init__(self, app: ASGIApp, frame_origin: str | None) -> None:
        self.app = app
        self.embed_ancestors = frame_origin or "'none'"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        embed = str(scope.get("path", "")).startswith("/embed")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                ancestors = self.embed_ancestors if embed else "'none'"
                headers.append((b"content-security-policy", f"{BASE_POLICY}; frame-ancestors {ancestors}".encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"same-origin"))
                if not embed:
                    headers.append((b"x-frame-options", b"DENY"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


async def health(request: Request) -> Response:
    console = console_of(request)
    return JSONResponse(
        {
            "status": "healthy",
            "sessions": len(console.sessions),
            "pages": len(console.hub.subscribers),
            "webhook_verified": console.intake.secret is not None,
        }
    )


async def events(request: Request) -> Response:
    session = current_session(request)
    if session is None:
        return login_redirect(request)
    return event_stream(console_of(request).hub, session.person, request)


def create_app(settings: ConsoleSettings, *, base_url: str | None = None) -> Starlette:
    """`base_url`: the address the console is served at (set by the CLI once the port is known)."""
    secret = settings.session_secret.get_secret_value() if settings.session_secret else secrets.token_urlsafe(32)
    if settings.session_secret is None:
        print(texts.RANDOM_SECRET, file=sys.stderr)
    sessions = SessionStore(secret, max_age=settings.session_hours * 3600, idle=settings.idle_minutes * 60)
    hub = Hub(agents_see_queue=settings.agents_see_queue)
    intake = WebhookIntake(hub)
    if settings.webhook_secret is not None:
        intake.secret = settings.webhook_secret.get_secret_value()
    console = Console(settings, sessions, hub, intake, base_url or f"http://{settings.host}:{settings.port}")
    limiter = SlidingWindow(settings.login_attempts_per_minute, 60.0)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with anyio.create_task_group() as tg:
            sessions.bind(tg)
            tg.start_soon(_sweep, sessions)
            # Before serving: the ready line then means the webhook is in place (or the operator was told).
            with anyio.move_on_after(30):
                await _register(console)
            try:
                yield None
            finally:
                sessions.close_all()
                tg.cancel_scope.cancel()

    routes = [
        Route("/health", health),
        Route("/login", auth.login_form, methods=["GET"]),
        Route("/login", partial(auth.login, limiter=limiter), methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/", pages.list_page),
        Route("/partials/rows", pages.rows_partial),
        Route("/partials/tabs", pages.counts_partial),
        Route("/partials/row/{id:int}", pages.row_partial),
        Route("/events", events),
        Route("/c/{conversation_id:int}", conversation.conversation_page),
        Route("/c/{conversation_id:int}/partial", conversation.conversation_partial),
        Route("/c/{conversation_id:int}/{action:str}", conversation.act, methods=["POST"]),
        Route("/embed", conversation.embed_page),
        Route("/stats", stats_page.stats_page),
        Route(WEBHOOK_PATH, intake.handle, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(SecurityHeaders, settings.frame_origin)])
    app.state.console = console
    return app


async def _sweep(sessions: SessionStore) -> None:
    while True:
        await anyio.sleep(60)
        sessions.sweep()


async def _register(console: Console) -> None:
    settings = console.settings
    url = (settings.public_url or console.base_url).rstrip("/") + WEBHOOK_PATH
    events_text = ", ".join(EVENTS)
    if not settings.register_webhook:
        if console.intake.secret is None:
            print(texts.WEBHOOK_UNSIGNED, file=sys.stderr)
        return
    result = await register_webhook(settings.chatwoot, url)
    if result.registered:
        if result.secret is not None:
            console.intake.secret = result.secret
        print(texts.WEBHOOK_REGISTERED.format(action=result.action, url=url, events=events_text), file=sys.stderr)
    elif result.problem == "not_admin":
        print(
            texts.WEBHOOK_NOT_ADMIN.format(url=url, events=events_text, seconds=settings.reread_seconds),
            file=sys.stderr,
        )
    else:
        print(texts.WEBHOOK_FAILED.format(detail=result.problem, seconds=settings.reread_seconds), file=sys.stderr)
    if console.intake.secret is None:
        print(texts.WEBHOOK_UNSIGNED, file=sys.stderr)
