"""One request of the spec validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Case:
    label: str  # operationId, with an optional /variant
    method: str
    spec_path: str
    path: str
    token: str = "admin"  # admin | agent | bot | none
    body: Any = None
