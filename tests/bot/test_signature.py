"""Signature checks against raw bytes, with an injected clock."""

from __future__ import annotations

import hashlib
import hmac

from chatwoot_mcp.signature import Verdict, sign, verify

SECRET = "s3cret"
BODY = b'{"event":"message_created","content":"a \\u003c b"}'
NOW = 1_781_697_602.0


def test_a_signature_made_like_chatwoots_verifies() -> None:
    ts = str(int(NOW))
    assert verify(SECRET, BODY, ts, sign(SECRET, ts, BODY), clock=lambda: NOW) is Verdict.OK


def test_the_signature_covers_the_timestamp_and_the_raw_bytes() -> None:
    ts = str(int(NOW))
    good = sign(SECRET, ts, BODY)
    assert verify(SECRET, BODY + b" ", ts, good, clock=lambda: NOW) is Verdict.MISMATCH
    assert verify(SECRET, BODY, str(int(NOW) - 1), good, clock=lambda: NOW) is Verdict.MISMATCH
    assert verify("other", BODY, ts, good, clock=lambda: NOW) is Verdict.MISMATCH
    # Signing the body alone (a common mistake, Chatwoot issue #13809) does not verify.
    body_only = "sha256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert verify(SECRET, BODY, ts, body_only, clock=lambda: NOW) is Verdict.MISMATCH


def test_a_delivery_outside_the_window_is_stale_either_way() -> None:
    old = str(int(NOW) - 301)
    future = str(int(NOW) + 301)
    assert verify(SECRET, BODY, old, sign(SECRET, old, BODY), clock=lambda: NOW) is Verdict.STALE
    assert verify(SECRET, BODY, future, sign(SECRET, future, BODY), clock=lambda: NOW) is Verdict.STALE
    edge = str(int(NOW) - 300)
    assert verify(SECRET, BODY, edge, sign(SECRET, edge, BODY), clock=lambda: NOW) is Verdict.OK


def test_missing_or_malformed_headers_are_refused() -> None:
    ts = str(int(NOW))
    assert verify(SECRET, BODY, None, sign(SECRET, ts, BODY), clock=lambda: NOW) is Verdict.MISSING
    assert verify(SECRET, BODY, ts, None, clock=lambda: NOW) is Verdict.MISSING
    assert verify(SECRET, BODY, "yesterday", "sha256=00", clock=lambda: NOW) is Verdict.MALFORMED
    assert verify(SECRET, BODY, ts, "sha256=zz\u00e9", clock=lambda: NOW) is Verdict.MISMATCH


def test_an_absurd_timestamp_is_malformed_and_never_raises() -> None:
    for stamp in ["9" * 400, "1" * 13, "-1781697602", "+1781697602", "1.5e9", "١٧٨١٦٩٧٦٠٢", "0x6a", "", " "]:
        verdict = verify(SECRET, BODY, stamp, sign(SECRET, stamp, BODY), clock=lambda: NOW)
        assert verdict in (Verdict.MALFORMED, Verdict.MISSING), stamp
