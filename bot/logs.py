"""The bot's logs: one JSON object per line on stderr, through the standard logging machinery."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any, TextIO

import orjson

# One line per HTTP call to Chatwoot would drown the bot's own events; their failures still show.
QUIET_LOGGERS = ("httpx2", "httpx", "mcp")


class JsonFormatter(logging.Formatter):
    """time, level, logger, event (the record's message) and the record's structured `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        try:
            return orjson.dumps(line, default=str).decode()
        except orjson.JSONEncodeError:  # what orjson refuses (an integer past 64 bits): the standard library
            return json.dumps(line, ensure_ascii=False, default=str)


def log_event(logger: logging.Logger, name: str, level: int = logging.INFO, /, **fields: Any) -> None:
    """One structured line: `name` is the event, the fields go beside it (those that are None are left out).

    Callers put ids and reasons in the fields, never tokens; message text only when BOT_LOG_CONTENT is on."""
    if logger.isEnabledFor(level):
        # makeRecord and handle (the logger's filters, then the handlers) rather than logger.log, whose look-up of
        # the calling line would only ever find this function.
        record = logger.makeRecord(logger.name, level, __file__, 0, name, (), None)
        record.fields = {k: v for k, v in fields.items() if v is not None}
        logger.handle(record)


def setup_logging(level: int = logging.INFO, stream: TextIO | None = None) -> logging.Handler:
    """JSON lines on `stream` (stderr) as the root logger's only handler; returns that handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The line holds none of these, so no record gathers them (the logging HOWTO's "Optimization").
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler
