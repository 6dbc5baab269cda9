"""The bot's logs: JSON lines through the standard logging machinery, under each module's own logger name, with no
secret and no message text unless the operator asks for it."""

from __future__ import annotations

import io
import json
import logging
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from bot.app import create_app
from bot.logs import JsonFormatter, log_event, setup_logging
from bot.settings import BotSettings
from chatwoot_mcp.config import Settings
from chatwoot_mcp.signature import sign
from tests.bot import payloads as p
from tests.bot.responders import EchoResponder

SECRET = "whsec-never-logged"
TOKEN = "api-token-never-logged"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    """setup_logging() writing to a buffer, and the logging set-up before it put back afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    buffer = io.StringIO()
    setup_logging(logging.INFO, buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


def lines(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_a_structured_line_is_one_json_object_with_its_fields(stream: io.StringIO) -> None:
    logging.getLogger().handlers[:] = logging.getLogger().handlers[:1]  # pytest adds its capture handlers per phase
    log_event(logging.getLogger("bot.intake"), "webhook_received", conversation_id=7, content=None, reason="ação")
    log_event(logging.getLogger("bot.runner"), "job_failed", logging.ERROR, conversation_id=8)
    first, second = lines(stream)
    assert set(first) == {"time", "level", "logger", "event", "conversation_id", "reason"}  # None left out
    assert first["event"] == "webhook_received" and first["logger"] == "bot.intake" and first["level"] == "info"
    assert first["reason"] == "ação"  # written as text, not \\u escapes
    time.strptime(str(first["time"]), "%Y-%m-%dT%H:%M:%S")
    assert (second["level"], second["logger"], second["conversation_id"]) == ("error", "bot.runner", 8)


def test_an_exception_and_values_json_cannot_write_still_make_one_line() -> None:
    logger = logging.getLogger("bot.test")
    try:
        raise ValueError("boom")
    except ValueError:
        record = logger.makeRecord("bot.test", logging.ERROR, "", 0, "job_failed", (), sys.exc_info())
    record.fields = {"path": Path("/tmp/x"), "big": 2**70}
    text = JsonFormatter().format(record)
    assert "\n" not in text  # a traceback's newlines are escaped inside its string: still one line
    line = json.loads(text)
    assert line["path"] == "/tmp/x" and line["big"] == 2**70 and "ValueError: boom" in str(line["exception"])


def test_a_filtered_logger_or_level_is_respected(stream: io.StringIO) -> None:
    logging.getLogger().handlers[:] = logging.getLogger().handlers[:1]
    logger = logging.getLogger("bot.runner")
    logger.addFilter(lambda record: getattr(record, "fields", {}).get("conversation_id") != 1)
    try:
        log_event(logger, "reply_sent", conversation_id=1)
        log_event(logger, "reply_sent", conversation_id=2)
        log_event(logger, "detail", logging.DEBUG, conversation_id=3)  # below INFO
    finally:
        logger.filters.clear()
    assert [line["conversation_id"] for line in lines(stream)] == [2]


@pytest.mark.anyio
@pytest.mark.parametrize("log_content", [False, True])
async def test_a_delivery_logs_under_its_modules_names_with_no_secret_and_text_only_when_asked(
    stream: io.StringIO, tmp_path: Path, log_content: bool
) -> None:
    logging.getLogger().handlers[:] = logging.getLogger().handlers[:1]
    chatwoot = Settings(chatwoot_url="http://127.0.0.1:9", api_token=TOKEN, account_id=1, webhook_secret=SECRET)
    settings = BotSettings(
        chatwoot=chatwoot,
        debounce_seconds=600,
        database_url=f"sqlite:///{tmp_path}/bot.sqlite3",
        log_content=log_content,
    )
    app = create_app(settings, responder=EchoResponder())
    body = p.encode(p.message(content="meu CPF é 123"))
    stamp = str(int(time.time()))
    signature = sign(SECRET, stamp, body)
    headers = {"content-type": "application/json", "x-chatwoot-timestamp": stamp, "x-chatwoot-signature": signature}
    async with app.router.lifespan_context(app):
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://bot") as client:
            assert (await client.post("/webhooks/chatwoot", content=body, headers=headers)).status_code == 200
            bad = headers | {"x-chatwoot-signature": "sha256=" + "0" * 64}
            assert (await client.post("/webhooks/chatwoot", content=body, headers=bad)).status_code == 401
    written = lines(stream)
    by_event = {str(line["event"]): line for line in written}
    assert by_event["bot_started"]["logger"] == "bot.app"
    assert by_event["webhook_received"]["logger"] == "bot.intake"
    assert by_event["webhook_received"]["message_id"] == 5501
    assert by_event["webhook_unverified"]["reason"] == "signature mismatch"
    assert by_event["bot_stopped"]["logger"] == "bot.app"
    text = stream.getvalue()
    assert SECRET not in text and TOKEN not in text
    assert ("meu CPF é 123" in text) is log_content
