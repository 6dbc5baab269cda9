"""Injected faults: the next N requests matching a method and path regex get a status and/or a delay."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Fault:
    method: str | None
    path: re.Pattern[str]
    status: int | None
    count: int
    delay: float
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    # > 0: the request is still carried out this many seconds after the fault's answer (a proxy timed out while
    # Chatwoot went on, e.g. a message created after the client gave up on the POST).
    late: float = 0.0

    def describe(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path.pattern,
            "status": self.status,
            "count": self.count,
            "delay": self.delay,
            "body": self.body,
            "headers": self.headers,
            "late": self.late,
        }


class FaultError(ValueError):
    """A fault definition the control API cannot accept."""


def parse_fault(data: Any) -> Fault:
    if not isinstance(data, dict):
        raise FaultError("a fault is a JSON object")
    try:
        pattern = re.compile(str(data.get("path", ".*")))
    except re.error as exc:
        raise FaultError(f"path is not a valid regex: {exc}") from None
    status = data.get("status")
    if status is not None and (not isinstance(status, int) or not 100 <= status <= 599):
        raise FaultError("status must be an HTTP status code or null")
    count = data.get("count", 1)
    delay = data.get("delay", 0)
    if not isinstance(count, int) or count < 1:
        raise FaultError("count must be a positive integer")
    if not isinstance(delay, (int, float)) or delay < 0:
        raise FaultError("delay must be a non-negative number of seconds")
    if status is None and not delay:
        raise FaultError("a fault needs a status, a delay or both")
    headers = data.get("headers") or {}
    if not isinstance(headers, dict):
        raise FaultError("headers must be an object")
    late = data.get("late", 0)
    if not isinstance(late, (int, float)) or late < 0:
        raise FaultError("late must be a non-negative number of seconds")
    if late and status is None:
        raise FaultError("a late fault needs the status to answer with first (e.g. 504)")
    method = data.get("method")
    return Fault(
        method=str(method).upper() if method and method != "*" else None,
        path=pattern,
        status=status,
        count=count,
        delay=float(delay),
        body=data.get("body"),
        headers={str(k): str(v) for k, v in headers.items()},
        late=float(late),
    )


class FaultBook:
    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self.faults.append(fault)

    def clear(self) -> None:
        self.faults = []

    def take(self, method: str, path: str) -> Fault | None:
        """The first matching fault, consumed once."""
        for fault in self.faults:
            if (fault.method is None or fault.method == method) and fault.path.fullmatch(path):
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                return fault
        return None
