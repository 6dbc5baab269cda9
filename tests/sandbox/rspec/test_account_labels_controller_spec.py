"""Ports of spec/controllers/api/v1/accounts/labels_controller_spec.rb (the account's labels) over HTTP."""

from __future__ import annotations

from tests.conftest import Sandbox

from .support import anonymous


def test_returns_unauthorized(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/labels_controller_spec.rb: it 'returns unauthorized' (GET labels; the
    most_used block requests the same URL)."""
    response = anonymous(sandbox, "GET", "labels")
    assert response.status_code == 401
    assert "payload" not in response.text
