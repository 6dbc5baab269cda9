"""What a batch carries between its tries: the stored answer and the outcomes the job wrapper tells apart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.brain.base import Outcome, outcome_from_json, outcome_to_json
from bot.slots import Hold
from bot.store.base import Job


class JobEnded(Exception):
    """Retrying cannot help (the conversation is gone, or no longer the bot's): the jobs end now, as `status`."""

    def __init__(self, reason: str, status: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class UncertainPost(Exception):
    """A customer-visible post failed in a way that may still create the message (a timeout, a 5xx)."""


class NotSettled(Exception):
    """A stored reply is not in the conversation yet, but its post may still land: nothing is posted before
    `until` (then it counts as lost and is posted again under the same key)."""

    def __init__(self, key: str, until: float) -> None:
        super().__init__(f"reply {key} may still be created; waiting until it is settled")
        self.key = key
        self.until = until


@dataclass
class Progress:
    """Where a batch got to, read by the job wrapper to choose between retry, apology and fail-safe; `slot` is the
    batch's work slot, given back while the model thinks; `pending`, the conversation's jobs left pending when the
    batch last looked (None: not known)."""

    stage: str = "start"
    slot: Hold | None = None
    pending: int | None = None


@dataclass(frozen=True)
class Answer:
    """A responder's Outcome for a batch, with the newest customer message it covers, when it was given, and by
    which bot process (`by`, a replica's lease name)."""

    covers: int
    at: float
    outcome: Outcome
    by: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"covers": self.covers, "at": self.at, "by": self.by, **outcome_to_json(self.outcome)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Answer:
        covers, at = int(data.get("covers") or 0), float(data.get("at") or 0.0)
        return cls(covers, at, outcome_from_json(data), str(data.get("by") or ""))


def batch_key(jobs: list[Job]) -> str:
    """Where a batch's answer is stored: its oldest job, which stays in every retry of the batch."""
    return f"batch:{min(job.id for job in jobs)}"


__all__ = ["Answer", "JobEnded", "NotSettled", "Progress", "UncertainPost", "batch_key"]
