"""Chatwoot does not order its deliveries: one carrying an older conversation than the stored state changes nothing."""

from __future__ import annotations

import time
from pathlib import Path

import httpx2
import pytest

from bot.app import create_app
from bot.settings import BotSettings
from bot.store.sqlite import SQLiteStore
from chatwoot_mcp.config import Settings
from chatwoot_mcp.signature import sign
from tests.bot import payloads as p
from tests.bot.responders import EchoResponder

pytestmark = pytest.mark.anyio

SECRET = "whsec-late"


def headers(body: bytes, delivery: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    return {
        "content-type": "application/json",
        "x-chatwoot-timestamp": stamp,
        "x-chatwoot-signature": sign(SECRET, stamp, body),
        "x-chatwoot-delivery": delivery,
    }


@pytest.mark.parametrize("late_event", ["conversation_status_changed", "message_updated"])
async def test_a_late_delivery_with_an_older_conversation_does_not_undo_newer_state(
    tmp_path: Path, late_event: str
) -> None:
    chatwoot = Settings(chatwoot_url="http://127.0.0.1:9", api_token="t", account_id=1, webhook_secret=SECRET)
    settings = BotSettings(chatwoot=chatwoot, debounce_seconds=600, database_url=f"sqlite:///{tmp_path}/b.sqlite3")
    app = create_app(settings, responder=EchoResponder(), store=SQLiteStore(tmp_path / "b.sqlite3"))
    opened = p.conversation_event("conversation_status_changed", status="open")
    opened["updated_at"] = 1781697620.5
    if late_event == "message_updated":
        late = p.message(event="message_updated", status="pending")
        late["conversation"]["updated_at"] = 1781697610.25
    else:
        late = p.conversation_event("conversation_status_changed", status="pending")
        late["updated_at"] = 1781697610.25
    newer = p.conversation_event("conversation_status_changed", status="pending")
    newer["updated_at"] = 1781697630.0
    async with app.router.lifespan_context(app):
        transport = httpx2.ASGITransport(app=app, client=("127.0.0.1", 4321))
        async with httpx2.AsyncClient(transport=transport, base_url="http://bot") as client:
            for delivery, body in (("d-open", opened), ("d-late", late)):
                raw = p.encode(body)
                response = await client.post("/webhooks/chatwoot", content=raw, headers=headers(raw, delivery))
                assert response.status_code == 200
            state = await app.state.store.get_state(87)
            assert state is not None and (state.status, state.updated_at) == ("open", 1781697620.5)
            # A newer delivery still moves the state on.
            raw = p.encode(newer)
            response = await client.post("/webhooks/chatwoot", content=raw, headers=headers(raw, "d-new"))
            assert response.status_code == 200
            state = await app.state.store.get_state(87)
            assert state is not None and (state.status, state.updated_at) == ("pending", 1781697630.0)
