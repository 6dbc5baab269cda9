"""The bot's JSON log lines: the direct path writes exactly what the logging machinery would."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator

import pytest

from bot.events import JsonLinesHandler, log_event


@pytest.fixture
def installed() -> Iterator[tuple[JsonLinesHandler, int]]:
    root = logging.getLogger()
    saved_handlers, saved_level, saved_sole = root.handlers[:], root.level, JsonLinesHandler.sole
    read_end, write_end = os.pipe()
    handler = JsonLinesHandler(write_end)
    handler.install(logging.INFO)
    try:
        yield handler, read_end
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        JsonLinesHandler.sole = saved_sole
        os.close(read_end)
        os.close(write_end)


def read_lines(fd: int) -> list[dict[str, object]]:
    return [json.loads(line) for line in os.read(fd, 65536).decode().splitlines()]


def test_the_direct_line_and_the_logging_line_are_the_same(installed: tuple[JsonLinesHandler, int]) -> None:
    handler, read_end = installed
    logger = logging.getLogger("bot.intake")
    fields = {"conversation_id": 7, "message_id": 42, "reason": "customer message", "content": None}
    logging.getLogger().handlers[:] = [handler]  # pytest adds its capture handlers to each test phase
    assert handler.serves(logger, logging.INFO)
    log_event(logger, "webhook_received", **fields)  # direct: the handler is the root's only one
    extra = logging.NullHandler()
    logging.getLogger().addHandler(extra)  # now the line must go through the logging machinery
    assert not handler.serves(logger, logging.INFO)
    log_event(logger, "webhook_received", **fields)
    logging.getLogger().removeHandler(extra)
    direct, through_logging = read_lines(read_end)
    assert direct == through_logging
    assert direct["event"] == "webhook_received" and direct["level"] == "info" and direct["logger"] == "bot.intake"
    assert "content" not in direct  # None fields are left out


def test_a_filtered_or_silenced_logger_is_not_bypassed(installed: tuple[JsonLinesHandler, int]) -> None:
    handler, read_end = installed
    logging.getLogger().handlers[:] = [handler]
    logger = logging.getLogger("bot.runner")
    logger.addFilter(lambda record: False)
    try:
        assert not handler.serves(logger, logging.INFO)
        log_event(logger, "reply_sent", conversation_id=1)
    finally:
        logger.filters.clear()
    log_event(logger, "reply_sent", conversation_id=2)
    assert [line["conversation_id"] for line in read_lines(read_end)] == [2]
