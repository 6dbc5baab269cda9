"""Ports of spec/finders/conversation_finder_spec.rb's `with participating` context: Bruno participates (through
POST …/participants) in an open conversation of WhatsApp and one of Site, then loses Site through
DELETE /inbox_members; the finder is seen through GET /conversations and /conversations/meta."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Sandbox

from .support import SITE, WHATSAPP, detach_bot, new_conversation, user_id
from .support import token as tok

BRUNO = user_id("bruno")
PARAMS = {"status": "open", "assignee_type": "all", "conversation_type": "participating"}


def _participate(box: Sandbox, display_id: int) -> None:
    response = box.api("POST", f"conversations/{display_id}/participants", json={"user_ids": [BRUNO]})
    assert response.status_code == 200, response.text
    assert [p["id"] for p in response.json()] == [BRUNO]


def _as_bruno(box: Sandbox, path: str) -> dict[str, Any]:
    response = box.api("GET", path, token=tok(box, "bruno"), params=PARAMS)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def revoked(sandbox: Sandbox) -> tuple[int, int]:
    """The accessible and the revoked conversation's display ids, after Bruno's Site membership is destroyed."""
    for inbox in (WHATSAPP, SITE):
        detach_bot(sandbox, inbox)
    accessible = new_conversation(sandbox, WHATSAPP, 11, status="open")["id"]
    gone = new_conversation(sandbox, SITE, 12, status="open")["id"]
    _participate(sandbox, accessible)
    _participate(sandbox, gone)
    before = {c["id"] for c in _as_bruno(sandbox, "conversations")["data"]["payload"]}
    assert before == {accessible, gone}
    removed = sandbox.api("DELETE", "inbox_members", json={"inbox_id": SITE, "user_ids": [BRUNO]})
    assert removed.status_code == 200, removed.text
    return accessible, gone


def test_excludes_participating_conversations_from_inboxes_the_user_no_longer_has_access_to(
    sandbox: Sandbox, revoked: tuple[int, int]
) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'excludes participating conversations from inboxes the user no
    longer has access to'."""
    accessible, _ = revoked
    assert [c["id"] for c in _as_bruno(sandbox, "conversations")["data"]["payload"]] == [accessible]


def test_excludes_the_inaccessible_conversation_from_the_meta_counts_too(
    sandbox: Sandbox, revoked: tuple[int, int]
) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'excludes the inaccessible conversation from the meta counts
    too'."""
    assert _as_bruno(sandbox, "conversations/meta")["meta"]["all_count"] == 1
