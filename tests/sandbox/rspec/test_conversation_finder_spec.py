"""Ports of spec/finders/conversation_finder_spec.rb, seen through GET /conversations and /conversations/meta.

The finder's spec builds five conversations in an empty account; here they are built beside the seed's, so each
test checks the spec's own conversations by id and the whole answer against the sandbox's state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import Sandbox

from .support import SITE, WHATSAPP, detach_bot, new_conversation, user_id
from .support import token as tok

BRUNO, CARLA = user_id("bruno"), user_id("carla")


@dataclass
class Setup:
    mine_open: list[int]  # assigned to Bruno, open
    mine_resolved: int
    carla: int  # assigned to Carla, contact inbox source id `testing_source_id`
    unassigned: int


@pytest.fixture
def setup(sandbox: Sandbox) -> Setup:
    """The spec's `before`: two open and one resolved conversation for user_1, one for user_2 (with the source id),
    one unassigned; in WhatsApp, whose bot is taken off so statuses stay as given."""
    detach_bot(sandbox, WHATSAPP)
    mine = [new_conversation(sandbox, WHATSAPP, 11 + i, assignee_id=BRUNO)["id"] for i in range(2)]
    resolved = new_conversation(sandbox, WHATSAPP, 13, assignee_id=BRUNO, status="resolved")["id"]
    carla = new_conversation(sandbox, WHATSAPP, 14, assignee_id=CARLA, source_id="testing_source_id")["id"]
    unassigned = new_conversation(sandbox, WHATSAPP, 15)["id"]
    return Setup(mine, resolved, carla, unassigned)


def _list(box: Sandbox, who: str = "bruno", **params: Any) -> dict[str, Any]:
    response = box.api("GET", "conversations", token=tok(box, who), params=params)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def _ids(body: dict[str, Any]) -> set[int]:
    return {c["id"] for c in body["payload"]}


def _state(box: Sandbox, who: int = BRUNO, keep: Callable[[dict[str, Any]], bool] = lambda c: True) -> set[int]:
    """Display ids of the conversations `who` may see (admins all, agents their inboxes') that `keep` accepts."""
    state = box.control("GET", "state")
    role = next(u["role"] for u in state["users"] if u["id"] == who)
    inboxes = {i["id"] for i in state["inboxes"] if role == "administrator" or who in i["member_ids"]}
    return {c["id"] for c in state["conversations"] if c["inbox_id"] in inboxes and keep(c)}


def _is_open(c: dict[str, Any]) -> bool:
    return c["status"] == "open"


def _owned(c: dict[str, Any]) -> bool:
    return c["assignee_id"] is not None or c["assignee_agent_bot_id"] is not None


def _bot_owned(box: Sandbox) -> int:
    conv = new_conversation(box, WHATSAPP, 16)["id"]
    box.api(
        "POST", f"conversations/{conv}/assignments", json={"assignee_id": box.agent_bot_id, "assignee_type": "AgentBot"}
    )
    return conv


def test_filter_conversations_by_status(sandbox: Sandbox, setup: Setup) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'filter conversations by status' (open, assignee_type me)."""
    found = _ids(_list(sandbox, status="open", assignee_type="me"))
    assert set(setup.mine_open) <= found and setup.mine_resolved not in found
    assert found == _state(sandbox, keep=lambda c: _is_open(c) and c["assignee_id"] == BRUNO)


def test_returns_conversation_from_any_inbox_if_its_admin(sandbox: Sandbox) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'returns conversation from any inbox if its admin'."""
    restricted = _state(sandbox, user_id("admin"), lambda c: _is_open(c) and c["inbox_id"] == SITE)
    assert restricted and restricted <= _ids(_list(sandbox, "admin", inbox_id=SITE))


def test_returns_conversation_from_inbox_if_agent_is_its_member(sandbox: Sandbox) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'returns conversation from inbox if agent is its member'."""
    restricted = _state(sandbox, BRUNO, lambda c: _is_open(c) and c["inbox_id"] == SITE)
    assert restricted and _ids(_list(sandbox, "bruno", inbox_id=SITE)) == restricted


def test_does_not_return_conversations_from_inboxes_where_agent_is_not_a_member(sandbox: Sandbox) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'does not return conversations from inboxes where agent is not a
    member'."""
    assert _state(sandbox, user_id("admin"), lambda c: _is_open(c) and c["inbox_id"] == SITE)
    assert _ids(_list(sandbox, "carla", inbox_id=SITE)) == set()


def test_returns_only_the_conversations_from_the_inbox_if_inbox_id_filter_is_passed(
    sandbox: Sandbox, setup: Setup
) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'returns only the conversations from the inbox if inbox_id filter
    is passed'."""
    found = _ids(_list(sandbox, "admin", inbox_id=SITE))
    assert setup.unassigned not in found
    assert found == _state(sandbox, user_id("admin"), lambda c: _is_open(c) and c["inbox_id"] == SITE)


def test_filter_conversations_by_assignee_type_all(sandbox: Sandbox, setup: Setup) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'filter conversations by assignee type all'."""
    found = _ids(_list(sandbox, assignee_type="all"))
    assert {*setup.mine_open, setup.carla, setup.unassigned} <= found and setup.mine_resolved not in found
    assert found == _state(sandbox, keep=_is_open)


def test_filter_conversations_by_assignee_type_unassigned(sandbox: Sandbox, setup: Setup) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'filter conversations by assignee type unassigned' (a
    conversation an AgentBot owns is not unassigned)."""
    bot_owned = _bot_owned(sandbox)
    found = _ids(_list(sandbox, assignee_type="unassigned"))
    assert setup.unassigned in found and bot_owned not in found
    assert found == _state(sandbox, keep=lambda c: _is_open(c) and not _owned(c))


def test_returns_all_conversations(sandbox: Sandbox, setup: Setup) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'returns all conversations' (status all)."""
    found = _ids(_list(sandbox, status="all"))
    assert {*setup.mine_open, setup.mine_resolved, setup.carla, setup.unassigned} <= found
    assert found == _state(sandbox)


def test_filter_conversations_by_assignee_type_assigned(sandbox: Sandbox, setup: Setup) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'filter conversations by assignee type assigned' (including the
    AgentBot's)."""
    bot_owned = _bot_owned(sandbox)
    found = _ids(_list(sandbox, assignee_type="assigned"))
    assert {*setup.mine_open, setup.carla, bot_owned} <= found and setup.unassigned not in found
    assert found == _state(sandbox, keep=lambda c: _is_open(c) and _owned(c))


def _expected_meta(box: Sandbox) -> dict[str, int]:
    return {
        "mine_count": len(_state(box, keep=lambda c: _is_open(c) and c["assignee_id"] == BRUNO)),
        "assigned_count": len(_state(box, keep=lambda c: _is_open(c) and _owned(c))),
        "unassigned_count": len(_state(box, keep=lambda c: _is_open(c) and not _owned(c))),
        "all_count": len(_state(box, keep=_is_open)),
    }


def test_returns_the_correct_meta(sandbox: Sandbox, setup: Setup) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'returns the correct meta' (assignee_type assigned, with an
    AgentBot's conversation among the assigned)."""
    _bot_owned(sandbox)
    assert _list(sandbox, assignee_type="assigned")["meta"] == _expected_meta(sandbox)


def test_filter_conversations_by_team(sandbox: Sandbox, setup: Setup) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'filter conversations by team'."""
    teamed = new_conversation(sandbox, WHATSAPP, 16, team_id=1)["id"]
    found = _ids(_list(sandbox, team_id=1))
    assert teamed in found
    assert found == _state(sandbox, keep=lambda c: _is_open(c) and c["team_id"] == 1)


def test_filter_conversations_by_labels(sandbox: Sandbox, setup: Setup) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'filter conversations by labels'."""
    sandbox.api("POST", "labels", json={"label": {"title": "resolved"}})  # the spec writes the tag directly
    sandbox.api("POST", f"conversations/{setup.mine_open[0]}/labels", json={"labels": ["resolved"]})
    assert _ids(_list(sandbox, **{"labels[]": "resolved"})) == {setup.mine_open[0]}


def test_filter_conversations_by_source_id(sandbox: Sandbox, setup: Setup) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'filter conversations by source id'."""
    assert _ids(_list(sandbox, source_id="testing_source_id")) == {setup.carla}


def test_returns_conversations_with_any_source(sandbox: Sandbox, setup: Setup) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'returns conversations with any source'."""
    found = _ids(_list(sandbox))
    assert {*setup.mine_open, setup.carla, setup.unassigned} <= found
    assert found == _state(sandbox, keep=_is_open)


def test_filters_based_on_params_sort_order_but_returns_all_conversations_without_pagination_with_in_time_range(
    sandbox: Sandbox,
) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'filters based on params, sort order but returns all
    conversations without pagination with in time range'."""
    detach_bot(sandbox, WHATSAPP)
    old = [new_conversation(sandbox, WHATSAPP, 11 + i % 6)["id"] for i in range(30)]
    sandbox.control("POST", "clock", json={"advance": 30})
    for display_id in old[:28]:  # touched within the window
        sandbox.api("POST", f"conversations/{display_id}/toggle_priority", json={"priority": "low"})
    fresh = new_conversation(sandbox, WHATSAPP, 11)["id"]
    body = _list(sandbox, updated_within=20, assignee_type="unassigned", sort_by="created_at_asc")
    ids = [c["id"] for c in body["payload"]]
    assert len(ids) == 29 and set(ids) == {*old[:28], fresh}
    assert body["payload"][0]["created_at"] < body["payload"][-1]["created_at"]


def test_returns_paginated_conversations(sandbox: Sandbox) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'returns paginated conversations'."""
    detach_bot(sandbox, WHATSAPP)
    for i in range(30):
        new_conversation(sandbox, WHATSAPP, 11 + i % 6, assignee_id=BRUNO)
    assert len(_list(sandbox, status="open", assignee_type="me", page=1)["payload"]) == 25


def _meta(box: Sandbox) -> Any:
    return box.api("GET", "conversations/meta", token=tok(box, "bruno"), params={"assignee_type": "assigned"})


def test_returns_only_count_without_conversations(sandbox: Sandbox, setup: Setup) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'returns only count without conversations'."""
    response = _meta(sandbox)
    assert response.status_code == 200 and list(response.json()) == ["meta"]


def test_returns_the_correct_counts(sandbox: Sandbox, setup: Setup) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'returns the correct counts' (meta only)."""
    assert _meta(sandbox).json()["meta"] == _expected_meta(sandbox)


def test_returns_same_counts_as_perform(sandbox: Sandbox, setup: Setup) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'returns same counts as perform'."""
    _bot_owned(sandbox)
    assert _meta(sandbox).json()["meta"] == _list(sandbox, assignee_type="assigned")["meta"]


def test_returns_unattended_conversations(sandbox: Sandbox, setup: Setup) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'returns unattended conversations' (open, me, unattended)."""
    attended = new_conversation(sandbox, WHATSAPP, 16, assignee_id=BRUNO)["id"]
    sandbox.api("POST", f"conversations/{attended}/messages", json={"content": "resposta"})
    waiting = new_conversation(sandbox, WHATSAPP, 16, assignee_id=BRUNO)["id"]
    sandbox.api("POST", f"conversations/{waiting}/messages", json={"content": "resposta"})
    sandbox.api("POST", f"conversations/{waiting}/messages", json={"content": "e?", "message_type": "incoming"})
    found = _ids(_list(sandbox, status="open", assignee_type="me", conversation_type="unattended"))
    assert waiting in found and set(setup.mine_open) <= found and attended not in found
    assert found == _state(
        sandbox,
        keep=lambda c: (
            _is_open(c)
            and c["assignee_id"] == BRUNO
            and (c["first_reply_created_at"] is None or c["waiting_since"] is not None)
        ),
    )


def _incoming(box: Sandbox, display_id: int, private: bool = False) -> None:
    response = box.api(
        "POST",
        f"conversations/{display_id}/messages",
        json={"content": "olá", "message_type": "incoming", "private": private},
    )
    assert response.status_code == 200, response.text


def _seen(box: Sandbox, *display_ids: int) -> None:
    for display_id in display_ids:
        assert box.api("POST", f"conversations/{display_id}/update_last_seen").status_code == 200


def _later(box: Sandbox) -> None:
    box.control("POST", "clock", json={"advance": 5})


def test_returns_all_conversations_matching_the_selected_status_with_the_highest_unread_count_first(
    sandbox: Sandbox, setup: Setup
) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'returns all conversations matching the selected status with the
    highest unread count first' (two unread, one unread with newer activity, one read with newer activity still,
    one resolved)."""
    most_unread, unread, read, resolved = (new_conversation(sandbox, WHATSAPP, 11)["id"] for _ in range(4))
    _seen(sandbox, most_unread, unread, read, resolved)
    _later(sandbox)
    for display_id in (most_unread, most_unread, resolved, read, unread):
        _incoming(sandbox, display_id)
        _later(sandbox)
    _seen(sandbox, read)
    sandbox.api("POST", f"conversations/{resolved}/toggle_status", json={"status": "resolved"})
    ids = [c["id"] for c in _list(sandbox, status="open", sort_by="unread")["payload"]]
    assert {most_unread, unread, read} <= set(ids) and resolved not in ids
    assert ids.index(most_unread) < ids.index(unread) < ids.index(read)


def test_includes_private_incoming_messages_in_unread_counts_used_for_ordering(sandbox: Sandbox, setup: Setup) -> None:
    """spec/finders/conversation_finder_spec.rb: it 'includes private incoming messages in unread counts used for
    ordering' (two private incoming messages outrank one public, though their activity is older)."""
    private_unread, unread, read = (new_conversation(sandbox, WHATSAPP, 11)["id"] for _ in range(3))
    _seen(sandbox, private_unread, unread, read)
    _later(sandbox)
    for display_id, private in ((private_unread, True), (private_unread, True), (read, False), (unread, False)):
        _incoming(sandbox, display_id, private)
        _later(sandbox)
    _seen(sandbox, read)
    ids = [c["id"] for c in _list(sandbox, status="open", sort_by="unread")["payload"]]
    assert ids.index(private_unread) < ids.index(unread) < ids.index(read)
