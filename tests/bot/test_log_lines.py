"""The bot's JSON log lines: the direct path writes exactly what the logging machinery would."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.events import PIPE_BUF, JsonLinesHandler, log_event


@contextmanager
def as_root_handler(handler: JsonLinesHandler) -> Iterator[None]:
    """`handler` installed as the bot installs it, and the logging set-up before it put back afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level, saved_sole = root.handlers[:], root.level, JsonLinesHandler.sole
    handler.install(logging.INFO)
    try:
        yield
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        JsonLinesHandler.sole = saved_sole


@pytest.fixture
def installed() -> Iterator[tuple[JsonLinesHandler, int]]:
    read_end, write_end = os.pipe()
    handler = JsonLinesHandler(write_end)
    try:
        with as_root_handler(handler):
            yield handler, read_end
    finally:
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


class RecordingHandler(JsonLinesHandler):
    """The handler, with the size of each write() it makes kept."""

    def __init__(self, fd: int) -> None:
        super().__init__(fd)
        self.writes: list[int] = []

    def _write_all(self, data: bytes) -> None:
        self.writes.append(len(data))
        super()._write_all(data)


@pytest.fixture
def recording(tmp_path: Path) -> Iterator[tuple[RecordingHandler, Path]]:
    path = tmp_path / "bot.log"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    handler = RecordingHandler(fd)
    try:
        with as_root_handler(handler):
            yield handler, path
    finally:
        os.close(fd)


def logged(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_lines_logged_in_one_turn_of_the_loop_are_written_together_at_its_end(
    recording: tuple[RecordingHandler, Path],
) -> None:
    handler, path = recording
    logging.getLogger().handlers[:] = [handler]
    logger = logging.getLogger("bot.intake")
    during_turn: list[int] = []

    async def deliveries() -> None:
        for message_id in range(300):
            log_event(logger, "webhook_received", message_id=message_id, reason="customer message " + "x" * 80)
        during_turn.append(path.stat().st_size)  # nothing written yet: the lines wait for the end of this turn
        await asyncio.sleep(0)

    asyncio.run(deliveries())
    assert during_turn == [0]
    assert [line["message_id"] for line in logged(path)] == list(range(300))
    # Some 50 KB in whole lines, each write() at most PIPE_BUF bytes, so no other process's line cuts into one.
    assert len(handler.writes) > 1 and max(handler.writes) <= PIPE_BUF


def test_a_loop_that_ended_before_its_write_does_not_hold_back_the_next_loops_lines(
    recording: tuple[RecordingHandler, Path],
) -> None:
    handler, path = recording
    logging.getLogger().handlers[:] = [handler]
    logger = logging.getLogger("bot.app")
    first = asyncio.new_event_loop()

    def last_callback() -> None:
        log_event(logger, "bot_stopped", step=1)
        first.stop()  # the loop ends with this turn: its end-of-turn write never runs

    first.call_soon(last_callback)
    first.run_forever()
    first.close()

    async def next_run() -> list[int]:
        log_event(logger, "bot_started", step=2)
        await asyncio.sleep(0)
        return [int(str(line["step"])) for line in logged(path)]

    assert asyncio.run(next_run()) == [1, 2]


def test_lines_left_waiting_by_a_stopped_loop_are_written_first_or_at_exit(
    installed: tuple[JsonLinesHandler, int],
) -> None:
    handler, read_end = installed
    logging.getLogger().handlers[:] = [handler]
    logger = logging.getLogger("bot.app")

    def stop_after(step: int) -> None:
        loop = asyncio.new_event_loop()

        def last_callback() -> None:
            log_event(logger, "bot_stopped", step=step)
            loop.stop()  # the loop ends with this turn: the end-of-turn write never runs

        loop.call_soon(last_callback)
        loop.run_forever()
        loop.close()

    stop_after(1)
    log_event(logger, "after_the_loop", step=2)  # written at once, after what was waiting
    stop_after(3)
    handler.flush()  # what logging's shutdown does at exit
    assert [line["step"] for line in read_lines(read_end)] == [1, 2, 3]
