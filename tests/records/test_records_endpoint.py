"""POST /webhooks/records (Chatwoot's account webhooks) and GET /metrics, through the app's ASGI interface."""

from __future__ import annotations

import time
from pathlib import Path

import httpx2
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from bot.app import create_app
from bot.settings import BotSettings
from chatwoot_mcp.config import Settings
from chatwoot_mcp.signature import sign
from tests.bot.responders import EchoResponder
from tests.records.conftest import conversation

pytestmark = pytest.mark.anyio

SECRET = "account-webhook-secret"


def headers(body: bytes, secret: str = SECRET) -> dict[str, str]:
    stamp = str(int(time.time()))
    return {"content-type": "application/json", "x-chatwoot-timestamp": stamp,
            "x-chatwoot-signature": sign(secret, stamp, body)}  # fmt: skip


async def test_account_webhooks_are_verified_checked_and_recorded(tmp_path: Path) -> None:
    chatwoot = Settings(chatwoot_url="http://127.0.0.1:9", api_token="t", account_id=1)
    settings = BotSettings(chatwoot=chatwoot, debounce_seconds=600, database_url=f"sqlite:///{tmp_path}/bot.sqlite3",
                           mirror_webhook_secret=SecretStr(SECRET))  # fmt: skip
    app = create_app(settings, responder=EchoResponder())
    body = orjson.dumps(conversation(5, "open", updated_at=time.time(), assignee=3, event="conversation_updated"))
    async with app.router.lifespan_context(app):
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://bot") as client:
            forged = await client.post("/webhooks/records", content=body, headers=headers(body, "wrong"))
            unsigned = await client.post(
                "/webhooks/records", content=body, headers={"content-type": "application/json"}
            )
            broken = await client.post("/webhooks/records", content=b"[1, 2", headers=headers(b"[1, 2"))
            accepted = await client.post("/webhooks/records", content=body, headers=headers(body))
            wrong_method = await client.get("/webhooks/records")
            recorder = app.state.records.recorder
            while recorder.waiting:
                await recorder.flush_once()
            metrics = await client.get("/metrics")
        state = await app.state.records.mirror.state(5)
    assert (forged.status_code, unsigned.status_code, broken.status_code, accepted.status_code) == (401, 401, 400, 200)
    assert wrong_method.status_code == 405
    assert state is not None and state.hands == "human" and state.assigned_to == 3
    families = {f.name: f for f in text_string_to_metric_families(metrics.text)}
    acks = {
        s.labels["route"]: s.value
        for s in families["chatwoot_bot_webhook_ack_seconds"].samples
        if s.name.endswith("_count")
    }
    assert acks == {"bot": 0.0, "records": 4.0}  # both routes' series exist from the start, like `sent`'s
    sent = {
        s.labels["result"]: s.value for s in families["chatwoot_bot_messages_sent"].samples if s.name.endswith("_total")
    }
    assert sent == {"ok": 0.0, "failed": 0.0}
    assert "chatwoot_bot_jobs_waiting" in families and "chatwoot_bot_records_waiting" in families
