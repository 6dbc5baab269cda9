"""The records in the bot app: the mirror chosen from the settings, the recorder and its writer task, `/metrics`
and the account-webhook endpoint `POST /webhooks/records` (changes in every inbox and in Chatwoot's own screen)."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.logs import log_event
from bot.metrics import BotMetrics, metrics_endpoint
from bot.records.recorder import REFUSED, UNREACHABLE, Recorder, decode
from bot.settings import BotSettings
from bot.store import STORE_ERRORS
from chatwoot_mcp.records.mirror import Mirror, build_mirror
from chatwoot_mcp.records.model import direction
from chatwoot_mcp.signature import Verdict, verify

logger = logging.getLogger(__name__)

RECORDS_WEBHOOK_PATH = "/webhooks/records"
OFF = {"off", "none", "false", "0"}
REFRESH_TIMEOUT = 2.0


def mirror_url(settings: BotSettings) -> str | None:
    """MIRROR_DATABASE_URL, or beside the bot's own database: `mirror.sqlite3` next to its SQLite file, the same
    PostgreSQL database and schema otherwise (no table names are shared). `off` turns the mirror off."""
    configured = settings.chatwoot.mirror_database_url
    if configured is not None:
        url = configured.get_secret_value().strip()
        return None if url.lower() in OFF else url
    database = settings.database_url
    if database.startswith("sqlite:///"):
        return "sqlite:///" + str(Path(database.removeprefix("sqlite:///")).with_name("mirror.sqlite3"))
    return database


class BotRecords:
    def __init__(self, settings: BotSettings, worker: Any, mirror: Mirror | None = None) -> None:
        url = mirror_url(settings) if mirror is None else None
        self.mirror = mirror if mirror is not None else (build_mirror(url) if url else None)
        self.metrics = BotMetrics()
        self.recorder = Recorder(
            self.mirror, self.metrics, samples_retention_days=settings.mirror_samples_retention_days
        )
        self.settings = settings
        self.worker = worker
        worker.actions.records = self.recorder
        secret = settings.mirror_webhook_secret
        self._secret = secret.get_secret_value() if secret is not None else None
        self.routes = [
            Route("/metrics", metrics_endpoint(self.metrics, self._refresh), methods=["GET"]),
            Route(RECORDS_WEBHOOK_PATH, self._account_webhook, methods=["POST"]),
        ]

    async def _refresh(self) -> None:
        """The values /metrics reads from the stores; a store that does not answer keeps its last values."""
        try:
            self.metrics.jobs_waiting.set(await self.worker.store.count_jobs("pending"))
        except STORE_ERRORS:
            pass  # /health reports the store
        self.metrics.records_waiting.set(self.recorder.waiting)
        if self.mirror is None:
            return
        with anyio.move_on_after(REFRESH_TIMEOUT):
            try:
                counts = await self.mirror.change_counts()
            except (*UNREACHABLE, *REFUSED):
                return
            values: dict[tuple[str, str], int] = {}
            for from_hands, to_hands, trigger, count in counts:
                key = (direction(from_hands, to_hands), trigger)  # type: ignore[arg-type]
                values[key] = values.get(key, 0) + count
            self.metrics.handoffs.values = values

    async def _account_webhook(self, request: Request) -> JSONResponse:
        started = time.perf_counter()
        response, payload = await self._account_answer(request)
        self.recorder.delivered(payload, response.status_code, time.perf_counter() - started, "records")
        return response

    async def _account_answer(self, request: Request) -> tuple[JSONResponse, Any]:
        """An account webhook: verified with MIRROR_WEBHOOK_SECRET, then only recorded (the bot answers nobody);
        with the body as parsed."""
        too_large = JSONResponse({"error": f"body larger than {self.settings.max_body_bytes} bytes"}, status_code=413)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.settings.max_body_bytes:
            return too_large, None
        body = await request.body()
        if len(body) > self.settings.max_body_bytes:
            return too_large, None
        if self._secret is not None:
            verdict = verify(
                self._secret, body, request.headers.get("x-chatwoot-timestamp"),
                request.headers.get("x-chatwoot-signature"), tolerance=self.settings.signature_tolerance_seconds,
            )  # fmt: skip
            if verdict is not Verdict.OK:
                log_event(logger, "records_webhook_unverified", logging.WARNING, reason=verdict.value)
                return JSONResponse({"error": f"webhook verification failed: {verdict.value}"}, status_code=401), None
        payload = decode(body)
        if not isinstance(payload, dict):
            return JSONResponse({"error": "the body is not a JSON object"}, status_code=400), None
        if self.mirror is None:
            return JSONResponse({"status": "ignored", "reason": "the mirror is off"}), None
        return JSONResponse({"status": "accepted"}), payload

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The writer task for the app's lifetime; on the way out, one last try to write what waits."""
        if self.mirror is None:
            yield
            return
        if self._secret is None:
            log_event(logger, "records_webhook_not_verified", logging.WARNING,
                      hint=f"set MIRROR_WEBHOOK_SECRET to verify {RECORDS_WEBHOOK_PATH}")  # fmt: skip
        async with anyio.create_task_group() as tg:
            await tg.start(self.recorder.run)
            try:
                yield
            finally:
                tg.cancel_scope.cancel()
        with anyio.move_on_after(5, shield=True):
            try:
                while self.recorder.waiting:
                    await self.recorder.flush_once()
            except (*UNREACHABLE, *REFUSED) as exc:  # what is lost is logged; the backfill heals the state
                log_event(logger, "records_not_written", logging.WARNING, waiting=self.recorder.waiting,
                          error=type(exc).__name__)  # fmt: skip
        with anyio.CancelScope(shield=True):
            await self.mirror.close()
