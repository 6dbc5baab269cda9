"""Chatwoot webhook signatures: HMAC-SHA256 over "{timestamp}.{raw body}", hex with a "sha256=" prefix."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from enum import StrEnum

MAX_TIMESTAMP_DIGITS = 12


class Verdict(StrEnum):
    OK = "ok"
    MISSING = "missing signature or timestamp"
    MALFORMED = "malformed timestamp"
    STALE = "timestamp outside the tolerance window"
    MISMATCH = "signature mismatch"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Chatwoot-Signature value Chatwoot sends for this body and timestamp."""
    # hmac.digest is OpenSSL's one-shot HMAC: no Python HMAC object per delivery.
    digest = hmac.digest(secret.encode(), timestamp.encode() + b"." + body, "sha256").hex()
    return f"sha256={digest}"


def verify(
    secret: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    *,
    tolerance: float = 300,
    clock: Callable[[], float] = time.time,
) -> Verdict:
    """Check a delivery against the raw bytes; the clock is injectable for tests."""
    if not timestamp or not signature:
        return Verdict.MISSING
    stamp = timestamp.strip()
    # Unix seconds in ASCII digits: anything longer than 12 digits is no time a clock will read for 30,000 years,
    # and a larger number would not even compare with a float.
    if not (stamp.isascii() and stamp.isdigit()) or len(stamp) > MAX_TIMESTAMP_DIGITS:
        return Verdict.MALFORMED
    if abs(clock() - int(stamp)) > tolerance:
        return Verdict.STALE
    expected = sign(secret, stamp, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        return Verdict.MISMATCH
    return Verdict.OK
