"""Intake over ASGI: verification, dedup, persistence before the 200, and hostile input never a 5xx."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from starlette.applications import Starlette

from bot.app import create_app
from bot.events import parse_event
from bot.intake import dedup_keys
from bot.settings import BotSettings
from bot.store.sqlite import SQLiteStore
from chatwoot_mcp.config import Settings
from chatwoot_mcp.signature import sign
from tests.bot import payloads as p
from tests.bot.responders import EchoResponder

pytestmark = pytest.mark.anyio

SECRET = "whsec-test"


def bot_settings(tmp_path: Path, *, secret: str | None = SECRET, **overrides: Any) -> BotSettings:
    chatwoot = Settings(chatwoot_url="http://127.0.0.1:9", api_token="t", account_id=1, webhook_secret=secret)
    # A long debounce keeps the worker from acting: these tests look at intake alone.
    values: dict[str, Any] = {"debounce_seconds": 600, "database_url": f"sqlite:///{tmp_path}/bot.sqlite3"}
    return BotSettings(chatwoot=chatwoot, **(values | overrides))


@asynccontextmanager
async def running(app: Starlette, ip: str = "127.0.0.1") -> AsyncIterator[httpx2.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx2.ASGITransport(app=app, client=(ip, 4321))
        async with httpx2.AsyncClient(transport=transport, base_url="http://bot") as client:
            yield client


def signed(body: bytes, *, delivery: str | None = None, ts: int | None = None, secret: str = SECRET) -> dict[str, str]:
    stamp = str(ts if ts is not None else int(time.time()))
    headers = {
        "content-type": "application/json",
        "x-chatwoot-timestamp": stamp,
        "x-chatwoot-signature": sign(secret, stamp, body),
    }
    if delivery:
        headers["x-chatwoot-delivery"] = delivery
    return headers


@pytest.fixture
def app(tmp_path: Path) -> Starlette:
    settings = bot_settings(tmp_path)
    return create_app(settings, responder=EchoResponder(), store=SQLiteStore(tmp_path / "bot.sqlite3"))


async def test_a_signed_customer_message_is_stored_as_a_job_before_the_200(app: Starlette) -> None:
    body = p.encode(p.message())
    async with running(app) as client:
        response = await client.post("/webhooks/chatwoot", content=body, headers=signed(body, delivery="d-1"))
        assert response.status_code == 200
        assert response.json()["action"] == "answer"
        jobs = await app.state.store.pending_jobs()
        assert [(j.kind, j.conversation_id, j.message_id) for j in jobs] == [("reply", 87, 5501)]
        assert await app.state.store.count_events() == 1


async def test_a_customer_text_with_a_lone_surrogate_escape_is_still_accepted(app: Starlette) -> None:
    # Broken emoji can reach Chatwoot's JSON as an unpaired "\\ud83d"; the message must not be turned away.
    body = p.encode(p.message(content="oi \ud83d tudo bem?"))
    assert b"\\ud83d" in body
    async with running(app) as client:
        response = await client.post("/webhooks/chatwoot", content=body, headers=signed(body, delivery="d-s"))
        assert response.status_code == 200 and response.json()["action"] == "answer"
        assert len(await app.state.store.pending_jobs()) == 1


async def test_redeliveries_by_delivery_id_or_message_id_are_answered_but_not_stored_again(app: Starlette) -> None:
    body = p.encode(p.message())
    async with running(app) as client:
        for delivery in ("d-1", "d-1", "d-2", None):
            headers = signed(body, delivery=delivery)
            for route in ("/webhooks/chatwoot", "/chatwoot/webhook"):
                response = await client.post(route, content=body, headers=headers)
                assert response.status_code == 200
        assert await app.state.store.count_jobs() == 1
        assert await app.state.store.count_events() == 1


def test_a_new_message_is_known_by_its_message_and_any_other_event_by_its_delivery() -> None:
    created, updated = parse_event(p.message()), parse_event(p.message(event="message_updated"))
    status = parse_event(p.conversation_event("conversation_status_changed", status="open"))
    # One payload per delivery id: a message's key already covers every redelivery of it, under any delivery id.
    assert dedup_keys(created, "d-1") == dedup_keys(created, "d-2") == dedup_keys(created, None)
    assert dedup_keys(created, "d-1") == ("message:message_created:5501",)
    assert dedup_keys(updated, "d-1") == ("delivery:d-1",)  # each update of a message is a payload of its own
    assert dedup_keys(status, "d-1") == ("delivery:d-1",)
    assert dedup_keys(status, None) == ()


async def test_each_update_of_a_message_counts_and_only_its_redelivery_is_a_duplicate(app: Starlette) -> None:
    first = p.encode(p.message(event="message_updated", status="pending"))
    second = p.encode(p.message(event="message_updated", status="open"))  # the same message, a later update
    async with running(app) as client:
        for body, delivery in ((first, "d-u1"), (second, "d-u2"), (first, "d-u1")):
            response = await client.post("/webhooks/chatwoot", content=body, headers=signed(body, delivery=delivery))
            assert response.status_code == 200
        assert response.json()["status"] == "duplicate"
        state = await app.state.store.get_state(87)
        assert state is not None and state.status == "open"  # the second update was not taken for a redelivery


async def test_a_status_change_redelivered_under_its_delivery_id_is_not_stored_again(app: Starlette) -> None:
    body = p.encode(p.conversation_event("conversation_status_changed", status="open"))
    async with running(app) as client:
        for delivery in ("d-s1", "d-s1", "d-s2"):
            response = await client.post("/webhooks/chatwoot", content=body, headers=signed(body, delivery=delivery))
            assert response.status_code == 200
        # A status change has no message id: its delivery id is what tells a redelivery from a new change.
        assert await app.state.store.count_events() == 2


@pytest.mark.parametrize(
    ("case", "headers"),
    [
        ("no signature", {"content-type": "application/json"}),
        ("wrong secret", "wrong"),
        ("stale timestamp", "stale"),
        ("future timestamp", "future"),
        (
            "garbage timestamp",
            {"content-type": "application/json", "x-chatwoot-timestamp": "soon", "x-chatwoot-signature": "sha256=00"},
        ),
    ],
)
async def test_unverified_deliveries_get_401_and_store_nothing(app: Starlette, case: str, headers: Any) -> None:
    body = p.encode(p.message())
    now = int(time.time())
    if headers == "wrong":
        headers = signed(body, secret="not-the-secret")
    elif headers == "stale":
        headers = signed(body, ts=now - 301)
    elif headers == "future":
        headers = signed(body, ts=now + 400)  # far enough ahead that a slow start-up cannot bring it in
    async with running(app) as client:
        response = await client.post("/webhooks/chatwoot", content=body, headers=headers)
        assert response.status_code == 401, case
        assert "verification failed" in response.json()["error"]
        assert await app.state.store.count_events() == 0


async def test_a_replayed_signature_is_refused_once_it_is_stale_and_deduped_while_fresh(app: Starlette) -> None:
    body = p.encode(p.message())
    old = signed(body, delivery="d-9", ts=int(time.time()) - 400)
    fresh = signed(body, delivery="d-9")
    async with running(app) as client:
        assert (await client.post("/webhooks/chatwoot", content=body, headers=fresh)).json()["status"] == "accepted"
        assert (await client.post("/webhooks/chatwoot", content=body, headers=fresh)).json()["status"] == "duplicate"
        assert (await client.post("/webhooks/chatwoot", content=body, headers=old)).status_code == 401
        assert await app.state.store.count_jobs() == 1


HOSTILE = [
    ("malformed json", b'{"event": "message_created",', 400),
    ("json that is not an object", b"[1, 2, 3]", 400),
    ("no event name", b'{"id": 1}', 400),
    ("invalid utf-8", b'{"event": "\xff\xfe"}', 400),
    ("deeply nested", b'{"event":' + b"[" * 200_000 + b"]" * 200_000 + b"}", 413),
    ("nested under the cap", b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}", 400),
    ("unknown event", b'{"event": "martian_landing", "id": 3}', 200),
    ("wrong field types", b'{"event": "message_created", "id": "x", "conversation": [], "sender": 5}', 200),
    ("null conversation", b'{"event": "conversation_updated", "id": null, "status": 5}', 200),
    (
        "ids too big for a bigint",
        b'{"event": "message_created", "id": 99999999999999999999, "message_type": '
        b'"incoming", "conversation": {"id": 99999999999999999999, "status": "pending"}}',
        200,
    ),
    ("ids that are not ascii digits", b'{"event": "conversation_updated", "id": "\\u00b2", "status": "open"}', 200),
    ("a number too long to parse", b'{"event": "message_created", "id": ' + b"9" * 5000 + b"}", 400),
    ("negative ids", b'{"event": "conversation_status_changed", "id": -4, "status": "open"}', 200),
]


@pytest.mark.parametrize(("body", "expected"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
async def test_hostile_bodies_get_a_clear_4xx_or_an_ignored_200_never_a_5xx(
    tmp_path: Path, body: bytes, expected: int
) -> None:
    settings = bot_settings(tmp_path, max_body_bytes=300_000)
    app = create_app(settings, responder=EchoResponder())
    async with running(app) as client:
        response = await client.post("/webhooks/chatwoot", content=body, headers=signed(body))
        assert response.status_code == expected
        assert await app.state.store.count_jobs() == 0


async def test_wrong_content_type_and_oversized_bodies_are_refused_before_parsing(tmp_path: Path) -> None:
    app = create_app(bot_settings(tmp_path, max_body_bytes=2048), responder=EchoResponder())
    body = p.encode(p.message())
    async with running(app) as client:
        form = signed(body) | {"content-type": "application/x-www-form-urlencoded"}
        assert (await client.post("/webhooks/chatwoot", content=body, headers=form)).status_code == 415
        assert (await client.post("/webhooks/chatwoot", content=body, headers=signed(body))).status_code == 413

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b" " * 1000

        streamed = {"content-type": "application/json"}
        response = await client.post("/webhooks/chatwoot", content=chunks(), headers=streamed)
        assert response.status_code == 413
        assert (await client.get("/webhooks/chatwoot")).status_code == 405
        assert await app.state.store.count_events() == 0


async def test_an_address_that_keeps_failing_verification_is_throttled_but_valid_deliveries_still_pass(
    tmp_path: Path,
) -> None:
    app = create_app(bot_settings(tmp_path, verify_failures_per_minute=3), responder=EchoResponder())
    body = p.encode(p.message())
    async with running(app, ip="203.0.113.9") as attacker:
        codes = [
            (
                await attacker.post("/webhooks/chatwoot", content=body, headers={"content-type": "application/json"})
            ).status_code
            for _ in range(5)
        ]
        assert codes == [401, 401, 401, 429, 429]
        # A valid delivery from the same address (Chatwoot behind the same proxy) is still accepted.
        assert (await attacker.post("/webhooks/chatwoot", content=body, headers=signed(body))).status_code == 200
        transport = httpx2.ASGITransport(app=app, client=("198.51.100.7", 1))
        async with httpx2.AsyncClient(transport=transport, base_url="http://bot") as chatwoot:
            response = await chatwoot.post("/webhooks/chatwoot", content=body, headers=signed(body))
            assert response.status_code == 200
            assert response.json()["status"] == "duplicate"  # the same message, already accepted once
        assert await app.state.store.count_jobs() == 1


async def test_without_a_secret_unsigned_deliveries_are_accepted(tmp_path: Path) -> None:
    app = create_app(bot_settings(tmp_path, secret=None), responder=EchoResponder())
    body = p.encode(p.message())
    async with running(app) as client:
        response = await client.post("/chatwoot/webhook", content=body, headers={"content-type": "application/json"})
        assert response.status_code == 200
        assert await app.state.store.count_jobs() == 1


async def test_ignored_events_are_answered_200_without_work(app: Starlette) -> None:
    async with running(app) as client:
        for payload in (
            p.message(status="open", message_id=1),
            p.message(message_type="outgoing", sender=p.OUR_BOT, message_id=2),
            p.message(message_type="outgoing", private=True, sender=p.USER, message_id=3),
        ):
            body = p.encode(payload)
            response = await client.post("/webhooks/chatwoot", content=body, headers=signed(body))
            assert (response.status_code, response.json()["status"]) == (200, "ignored")
        assert await app.state.store.count_jobs() == 0


async def test_a_human_reply_stores_the_takeover_and_drops_the_waiting_reply(app: Starlette) -> None:
    async with running(app) as client:
        for payload in (p.message(), p.message(message_type="outgoing", sender=p.USER, message_id=5502)):
            body = p.encode(payload)
            assert (await client.post("/webhooks/chatwoot", content=body, headers=signed(body))).status_code == 200
        store = app.state.store
        assert [j.kind for j in await store.pending_jobs()] == ["takeover"]
        assert await store.count_jobs("dropped") == 1
        state = await store.get_state(87)
        assert state is not None and state.human_active
        # The customer writes again: the bot stays silent while the human stretch lasts.
        body = p.encode(p.message(message_id=5503))
        response = await client.post("/webhooks/chatwoot", content=body, headers=signed(body))
        assert response.json()["status"] == "ignored"


async def test_health_and_intake_report_a_store_outage_and_recover_from_it(app: Starlette) -> None:
    async with running(app) as client:
        response = await client.get("/health")
        assert response.status_code == 200
        assert response.json() | {"pending_jobs": 0} == {
            "status": "healthy",
            "store": "sqlite",
            "worker": "running",
            "responder": "echo",
            "pending_jobs": 0,
        }
        await app.state.store.close()
        response = await client.get("/health")
        assert response.status_code == 503
        assert response.json()["status"] == "unhealthy"
        assert "store unavailable" in response.json()["reason"]
        # A delivery that cannot be stored is not acked: 500 is what makes Chatwoot deliver it again.
        body = p.encode(p.message())
        response = await client.post("/webhooks/chatwoot", content=body, headers=signed(body))
        assert response.status_code == 500
        await app.state.store.start()
        response = await client.post("/webhooks/chatwoot", content=body, headers=signed(body))
        assert response.json()["status"] == "accepted"
        assert (await client.get("/health")).json()["pending_jobs"] == 1


async def test_message_text_is_logged_only_when_the_operator_asks(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    body = p.encode(p.message(content="meu CPF é 123"))
    for log_content in (False, True):
        caplog.clear()
        app = create_app(bot_settings(tmp_path / str(log_content), log_content=log_content), responder=EchoResponder())
        with caplog.at_level("INFO", logger="bot"):
            async with running(app) as client:
                assert (await client.post("/webhooks/chatwoot", content=body, headers=signed(body))).status_code == 200
        received = [r for r in caplog.records if r.getMessage() == "webhook_received"]
        assert [r.fields["message_id"] for r in received] == [5501]  # type: ignore[attr-defined]
        logged = " ".join(str(getattr(r, "fields", "")) for r in caplog.records)
        assert ("meu CPF é 123" in logged) is log_content
        assert SECRET not in logged
