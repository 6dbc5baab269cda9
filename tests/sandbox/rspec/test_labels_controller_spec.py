"""Ports of spec/controllers/api/v1/accounts/conversations/labels_controller_spec.rb over HTTP.

The spec writes label1 and label2 straight onto the conversation (`update_labels`) and defines label3 and label4 as
the account's Label records; over HTTP only defined labels stick, so all four are defined here first."""

from __future__ import annotations

import pytest

from tests.conftest import Sandbox

from .support import anonymous, state_conv
from .support import token as tok


def _define(box: Sandbox, *titles: str) -> None:
    for title in titles:
        response = box.api("POST", "labels", json={"label": {"title": title}})
        assert response.status_code == 200, response.text


@pytest.fixture
def labelled(sandbox: Sandbox) -> Sandbox:
    _define(sandbox, "label1", "label2", "label3", "label4")
    response = sandbox.api("POST", "conversations/1/labels", json={"labels": ["label1", "label2"]})
    assert response.json() == {"payload": ["label1", "label2"]}
    return sandbox


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_returns_unauthorized(labelled: Sandbox, method: str) -> None:
    """spec/controllers/api/v1/accounts/conversations/labels_controller_spec.rb: it 'returns unauthorized' (GET and
    POST)."""
    response = anonymous(labelled, method, "conversations/1/labels", json={"labels": ["label3", "label4"]})
    assert response.status_code == 401
    assert state_conv(labelled, 1)["labels"] == ["label1", "label2"]


def test_returns_all_the_labels_for_the_conversation(labelled: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/labels_controller_spec.rb: it 'returns all the labels for the
    conversation'."""
    response = labelled.api("GET", "conversations/1/labels", token=tok(labelled, "bruno"))
    assert response.status_code == 200
    assert "label1" in response.text and "label2" in response.text


def test_creates_labels_for_the_conversation(labelled: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/labels_controller_spec.rb: it 'creates labels for the
    conversation'."""
    response = labelled.api(
        "POST", "conversations/1/labels", token=tok(labelled, "bruno"), json={"labels": ["label3", "label4"]}
    )
    assert response.status_code == 200
    assert "label3" in response.text and "label4" in response.text
    assert state_conv(labelled, 1)["labels"] == ["label3", "label4"]


def test_drops_labels_that_are_not_defined_on_the_account(labelled: Sandbox) -> None:
    """spec/controllers/api/v1/accounts/conversations/labels_controller_spec.rb: it 'drops labels that are not
    defined on the account'."""
    response = labelled.api(
        "POST", "conversations/1/labels", token=tok(labelled, "bruno"), json={"labels": ["label3", "unknown"]}
    )
    assert response.status_code == 200
    assert "label3" in response.text
    assert "unknown" not in response.text
    assert state_conv(labelled, 1)["labels"] == ["label3"]
