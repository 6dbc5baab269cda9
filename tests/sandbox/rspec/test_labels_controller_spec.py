"""Ports of spec/controllers/api/v1/accounts/conversations/labels_controller_spec.rb over HTTP."""

from __future__ import annotations

import pytest

from tests.conftest import Sandbox

from .support import anonymous, state_conv
from .support import token as tok


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_returns_unauthorized(sandbox: Sandbox, method: str) -> None:
    """spec/controllers/api/v1/accounts/conversations/labels_controller_spec.rb: it 'returns unauthorized' (GET and
    POST)."""
    sandbox.api("POST", "conversations/1/labels", json={"labels": ["label1", "label2"]})
    response = anonymous(sandbox, method, "conversations/1/labels", json={"labels": ["label3", "label4"]})
    assert response.status_code == 401
    assert state_conv(sandbox, 1)["labels"] == ["label1", "label2"]


def test_returns_all_the_labels_for_the_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/labels_controller_spec.rb: it 'returns all the labels for the
    conversation'."""
    sandbox.api("POST", "conversations/1/labels", json={"labels": ["label1", "label2"]})
    response = sandbox.api("GET", "conversations/1/labels", token=tok(sandbox, "bruno"))
    assert response.status_code == 200
    assert "label1" in response.text and "label2" in response.text


def test_creates_labels_for_the_conversation(sandbox: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/labels_controller_spec.rb: it 'creates labels for the
    conversation'."""
    sandbox.api("POST", "conversations/1/labels", json={"labels": ["label1", "label2"]})
    response = sandbox.api(
        "POST", "conversations/1/labels", token=tok(sandbox, "bruno"), json={"labels": ["label3", "label4"]}
    )
    assert response.status_code == 200
    assert "label3" in response.text and "label4" in response.text
    assert state_conv(sandbox, 1)["labels"] == ["label3", "label4"]
