"""What a webhook says, flattened from Chatwoot's payload shapes, and the structured log line for it."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import select
import threading
import time
from dataclasses import dataclass
from typing import Any

import orjson

from chatwoot_mcp.server.tools.common import BOT_SOURCE_PREFIX

MESSAGE_EVENTS = frozenset({"message_created", "message_updated"})
CONVERSATION_EVENTS = frozenset(
    {
        "conversation_created",
        "conversation_updated",
        "conversation_status_changed",
        "conversation_opened",
        "conversation_resolved",
    }
)
KNOWN_EVENTS = (
    MESSAGE_EVENTS
    | CONVERSATION_EVENTS
    | frozenset(
        {
            "webwidget_triggered",
            "conversation_typing_on",
            "conversation_typing_off",
            "contact_created",
            "contact_updated",
            "inbox_created",
            "inbox_updated",
        }
    )
)
STATUSES = frozenset({"open", "resolved", "pending", "snoozed"})
# REST and conversation.messages[] use integers; top-level webhook messages use strings.
MESSAGE_TYPES = {0: "incoming", 1: "outgoing", 2: "activity", 3: "template"}


class PayloadError(ValueError):
    """The body is JSON but not a Chatwoot webhook we can read."""


@dataclass(frozen=True)
class WebhookEvent:
    """The fields of a webhook the gate and the runner need; ids only, content kept apart."""

    event: str
    conversation_id: int | None
    status: str | None
    assignee_type: str | None  # "User" | "AgentBot" | None
    assignee_id: int | None
    message_id: int | None = None
    message_type: str | None = None  # incoming | outgoing | template | activity
    private: bool = False
    sender_type: str | None = None  # contact | user | agent_bot | None (no sender: phone echo, system)
    sender_id: int | None = None
    content_type: str | None = None
    content: str | None = None
    customer_name: str | None = None
    source_id: str | None = None  # the bot's own replies carry OWN_SOURCE_PREFIX (their idempotency key)


# Every message the bot posts (and the return-to-bot notice) has a source_id starting with this; it is how the
# bot recognises its own messages when they were posted with a user token, where the sender is a "user".
OWN_SOURCE_PREFIX = BOT_SOURCE_PREFIX


def is_own_source(source_id: object) -> bool:
    return isinstance(source_id, str) and source_id.startswith(OWN_SOURCE_PREFIX)


MAX_ID = 2**63 - 1  # what both stores' integer columns hold
PIPE_BUF = getattr(select, "PIPE_BUF", 512)  # a write() of at most this many bytes to a pipe is never split


def _int(value: Any) -> int | None:
    """An id: a positive integer (or a string of ASCII digits) that fits a BIGINT; anything else is None."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value <= MAX_ID else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _status(value: Any) -> str | None:
    return value if isinstance(value, str) and value in STATUSES else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _message_type(value: Any) -> str | None:
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, int) and not isinstance(value, bool):
        return MESSAGE_TYPES.get(value)
    return None


def _sender_type(sender: Any) -> str | None:
    if not isinstance(sender, dict) or not sender:
        return None
    kind = sender.get("type")
    if isinstance(kind, str):
        return kind.lower()
    # Contact#webhook_data has no "type" key; users and bots always carry one.
    return "contact"


def _assignee(conversation: dict[str, Any]) -> tuple[str | None, int | None]:
    meta = _dict(conversation.get("meta"))
    assignee = _dict(meta.get("assignee"))
    kind = _str(meta.get("assignee_type"))
    if kind is None and assignee:
        kind = "AgentBot" if assignee.get("type") == "agent_bot" else "User"
    return (kind, _int(assignee.get("id"))) if assignee or kind else (None, None)


def parse_event(payload: Any) -> WebhookEvent:
    """Flatten a decoded webhook body; raises PayloadError when it is not a webhook object."""
    if not isinstance(payload, dict):
        raise PayloadError("the body is not a JSON object")
    name = payload.get("event")
    if not isinstance(name, str) or not name:
        raise PayloadError("the body has no event name")
    if name in MESSAGE_EVENTS:
        conversation = _dict(payload.get("conversation"))
        kind, assignee_id = _assignee(conversation)
        customer = _dict(_dict(conversation.get("meta")).get("sender"))
        return WebhookEvent(
            event=name,
            conversation_id=_int(conversation.get("id")),
            status=_status(conversation.get("status")),
            assignee_type=kind,
            assignee_id=assignee_id,
            message_id=_int(payload.get("id")),
            message_type=_message_type(payload.get("message_type")),
            private=payload.get("private") is True,
            sender_type=_sender_type(payload.get("sender")),
            sender_id=_int(_dict(payload.get("sender")).get("id")),
            content_type=_str(payload.get("content_type")),
            content=_str(payload.get("content")),
            customer_name=_str(customer.get("name")),
            source_id=_str(payload.get("source_id")),
        )
    if name in CONVERSATION_EVENTS:
        kind, assignee_id = _assignee(payload)
        return WebhookEvent(
            event=name,
            conversation_id=_int(payload.get("id")),
            status=_status(payload.get("status")),
            assignee_type=kind,
            assignee_id=assignee_id,
        )
    conversation = _dict(payload.get("conversation") or payload.get("current_conversation"))
    return WebhookEvent(
        event=name, conversation_id=_int(conversation.get("id")), status=None, assignee_type=None, assignee_id=None
    )


def log_event(logger: logging.Logger, name: str, level: int = logging.INFO, /, **fields: Any) -> None:
    """One structured line: JsonFormatter renders `name` as "event" and the fields beside it.

    The record is made directly: the lines carry no source location, and finding one (a stack walk per line) was
    a tenth of the cost of acknowledging a webhook."""
    if not logger.isEnabledFor(level):
        return
    present = {k: v for k, v in fields.items() if v is not None}
    direct = JsonLinesHandler.sole
    if direct is not None and direct.serves(logger, level):
        # The same line the logging machinery would write, without a record or the handler chain: one
        # webhook's line cost a seventh of acknowledging it.
        try:
            direct.write(direct.formatter.line(time.time(), level, logger.name, name, present))
            return
        except (OSError, ValueError, TypeError):
            pass  # the logging machinery below reports the failure its own way; logging never raises here
    logger.handle(logger.makeRecord(logger.name, level, "", 0, name, (), None, extra={"fields": present}))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, event and the structured fields."""

    def __init__(self) -> None:
        super().__init__()
        self._stamp = (-1, "")

    def _time(self, created: float) -> str:
        # Many lines share a second: format it once (strftime is a fair share of a line's cost). The second and
        # its text are replaced together, so a line formatted on another thread never gets another second's.
        second = int(created)
        stamp = self._stamp
        if stamp[0] != second:
            stamp = (second, time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(second)))
            self._stamp = stamp
        return stamp[1]

    def format(self, record: logging.LogRecord) -> str:
        return self.format_bytes(record).decode()

    def format_bytes(self, record: logging.LogRecord) -> bytes:
        exception = self.formatException(record.exc_info) if record.exc_info else None
        fields = getattr(record, "fields", {})
        return self.line(record.created, record.levelno, record.name, record.getMessage(), fields, exception)

    def line(
        self,
        created: float,
        level: int,
        logger: str,
        event: str,
        fields: dict[str, Any],
        exception: str | None = None,
    ) -> bytes:
        line: dict[str, Any] = {
            "time": self._time(created),
            "level": logging.getLevelName(level).lower(),
            "logger": logger,
            "event": event,
        }
        line.update(fields)
        if exception is not None:
            line["exception"] = exception
        try:
            return orjson.dumps(line, default=str)
        except TypeError:  # what orjson will not write (an int past 64 bits): the slower stdlib can
            return json.dumps(line, ensure_ascii=False, default=str).encode()


class JsonLinesHandler(logging.Handler):
    """JsonFormatter's lines written straight to a file descriptor (stderr): no text layer to encode and flush.

    Lines logged on the event loop's thread while it runs are written once per turn of the loop, whole lines of
    at most PIPE_BUF bytes per write(), so they never interleave with another process's. A write per line was a
    tenth of what acknowledging a webhook cost: each one let the store's threads take the interpreter lock in
    the middle of a delivery. Any other thread, and the loop's thread when no loop runs, writes at once; what
    is still waiting is written at exit (logging's shutdown flushes every handler).

    `install()` makes it the root logger's only handler; while it still is, log_event writes through it
    directly (`sole`, `serves`)."""

    sole: JsonLinesHandler | None = None

    def __init__(self, fd: int = 2) -> None:
        super().__init__()
        self.fd = fd
        self.formatter: JsonFormatter = JsonFormatter()
        self._owner = threading.get_ident()  # the thread whose lines wait for the end of the loop's turn
        self._pending: list[bytes] = []
        self._flush_loop: asyncio.AbstractEventLoop | None = None  # where the end-of-turn write is scheduled

    def install(self, level: int) -> None:
        root = logging.getLogger()
        root.handlers[:] = [self]
        root.setLevel(level)
        JsonLinesHandler.sole = self

    def serves(self, logger: logging.Logger, level: int) -> bool:
        """True when this handler alone would write `logger`'s line: nothing added or filtered on the way."""
        if level < self.level or self.filters:
            return False
        node: logging.Logger | None = logger
        while node is not None:
            if node.filters or node.disabled:
                return False
            if node.parent is None:  # the root
                return node.handlers == [self]
            if node.handlers or not node.propagate:
                return False
            node = node.parent
        return False

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.write(self.formatter.format_bytes(record))
        except (OSError, ValueError, TypeError):  # logging's contract: a failed line is reported, never raised
            self.handleError(record)

    def write(self, line: bytes) -> None:
        if threading.get_ident() == self._owner:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                pass
            else:
                if self._flush_loop is not loop:  # none scheduled, or on a loop that ended before running it
                    loop.call_soon(self.flush)
                    self._flush_loop = loop
                self._pending.append(line)
                return
            if self._pending:
                self.flush()
        self._write_all(line + b"\n")

    def flush(self) -> None:
        """Write the lines waiting for the end of the loop's turn (only their thread may)."""
        if threading.get_ident() != self._owner:
            return
        self._flush_loop = None
        if not self._pending:
            return
        lines, self._pending = self._pending, []
        chunk: list[bytes] = []
        size = 0
        try:
            for line in lines:
                if chunk and size + len(line) + 1 > PIPE_BUF:
                    self._write_all(b"\n".join(chunk) + b"\n")
                    chunk, size = [], 0
                chunk.append(line)
                size += len(line) + 1
            self._write_all(b"\n".join(chunk) + b"\n")
        except OSError:
            pass  # stderr is gone: nowhere left to say so, and logging must never break the bot

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]
