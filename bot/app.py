"""The Starlette app: two webhook routes to one handler, /health, and a lifespan owning store and worker."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.brain.base import Responder, build_responder
from bot.intake import Intake
from bot.logs import log_event
from bot.records.wiring import BotRecords
from bot.runner import ToolsFactory, Worker, running_worker
from bot.settings import BotSettings
from bot.store import STORE_ERRORS, Store, build_store

logger = logging.getLogger(__name__)

WEBHOOK_PATHS = ("/webhooks/chatwoot", "/chatwoot/webhook")  # the two design documents use the two paths


def create_app(
    settings: BotSettings,
    *,
    responder: Responder | None = None,
    store: Store | None = None,
    tools_factory: ToolsFactory | None = None,
    close_responder: bool | None = None,
) -> Starlette:
    """The sidecar as an ASGI app; the lifespan starts the store and the worker and stops them on shutdown."""
    store = store or build_store(settings.database_url, concurrency=settings.concurrency)
    # A responder built here is the app's to close (the OpenAI one holds an HTTP client); a passed-in one is
    # the caller's, unless it hands it over with close_responder=True.
    owned_responder = responder is None if close_responder is None else close_responder
    responder = responder or build_responder(settings)
    worker = Worker(settings, store, responder, tools_factory=tools_factory)
    records = BotRecords(settings, worker)  # handoff records and /metrics, written off the reply path
    intake = Intake(settings, store, worker, records=records.recorder)

    async def health(request: Request) -> JSONResponse:
        worker_ok, worker_state = worker.health()
        reason = None if worker_ok else worker_state
        pending = None
        if worker_ok:
            try:
                await store.ping()
                pending = await store.count_jobs("pending")
            except STORE_ERRORS as exc:
                reason = f"store unavailable: {type(exc).__name__}"
        body: dict[str, object] = {
            "status": "healthy" if reason is None else "unhealthy",
            "store": store.name,
            "worker": worker_state,
            "responder": responder.name,
            "pending_jobs": pending,
        }
        if reason is not None:
            body["reason"] = reason
        return JSONResponse(body, status_code=200 if reason is None else 503)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await store.start()
        try:
            async with records.running(), running_worker(worker):
                log_event(
                    logger,
                    "bot_started",
                    responder=responder.name,
                    store=store.name,
                    signed_webhooks=settings.chatwoot.webhook_secret is not None,
                )
                if settings.chatwoot.webhook_secret is None:
                    log_event(
                        logger,
                        "webhooks_not_verified",
                        logging.WARNING,
                        hint=f"CHATWOOT_WEBHOOK_SECRET is not set: anyone who can reach {settings.host}:"
                        f"{settings.port} can make the bot talk; set it to the AgentBot's secret",
                    )
                yield
        finally:
            await store.close()
            close_tools = getattr(worker.tools_factory, "aclose", None)
            if close_tools is not None:  # the pooled Chatwoot connections of the in-memory MCP server
                await close_tools()
            aclose = getattr(responder, "aclose", None)
            if owned_responder and aclose is not None:
                await aclose()
            log_event(logger, "bot_stopped")

    app = Starlette(
        routes=[
            *(Route(path, intake.endpoint, methods=["POST"]) for path in WEBHOOK_PATHS),
            Route("/health", health, methods=["GET"]),
            *records.routes,
        ],
        lifespan=lifespan,
    )
    app.state.worker = worker
    app.state.store = store
    app.state.intake = intake
    app.state.records = records
    return app
