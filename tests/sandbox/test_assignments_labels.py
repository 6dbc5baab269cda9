"""Assignments (agent, bot, team, unassign) and labels, which replace the whole set."""

from __future__ import annotations

from typing import Any

from tests.conftest import Sandbox


def _conv(box: Sandbox, display_id: int) -> dict[str, Any]:
    return next(c for c in box.control("GET", "state")["conversations"] if c["id"] == display_id)


def test_assigning_an_agent_returns_the_agent_object(sandbox: Sandbox) -> None:
    bruno = sandbox.agent("agent", 0)
    response = sandbox.api("POST", "conversations/1/assignments", json={"assignee_id": bruno["id"]})
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == bruno["id"] and body["role"] == "agent" and body["account_id"] == 1
    assert {"available_name", "availability_status", "email", "thumbnail", "confirmed"} <= set(body)
    assert _conv(sandbox, 1)["assignee_id"] == bruno["id"]
    shown = sandbox.api("GET", "conversations/1").json()
    assert shown["meta"]["assignee"]["id"] == bruno["id"]
    assert shown["meta"]["assignee_type"] == "User"


def test_null_assignee_unassigns_and_answers_null(sandbox: Sandbox) -> None:
    sandbox.api("POST", "conversations/1/assignments", json={"assignee_id": 1})
    response = sandbox.api("POST", "conversations/1/assignments", json={"assignee_id": None})
    assert response.status_code == 200
    assert response.content == b"null"
    assert _conv(sandbox, 1)["assignee_id"] is None
    assert "assignee" not in sandbox.api("GET", "conversations/1").json()["meta"]


def test_user_outside_the_account_silently_unassigns(sandbox: Sandbox) -> None:
    sandbox.api("POST", "conversations/1/assignments", json={"assignee_id": 1})
    response = sandbox.api("POST", "conversations/1/assignments", json={"assignee_id": 987})
    assert response.status_code == 200 and response.json() is None
    assert _conv(sandbox, 1)["assignee_id"] is None


def test_team_assignment_and_team_zero_clears_it(sandbox: Sandbox) -> None:
    response = sandbox.api("POST", "conversations/1/assignments", json={"team_id": 1})
    assert response.json()["name"] == "Humanos"
    assert _conv(sandbox, 1)["team_id"] == 1
    response = sandbox.api("POST", "conversations/1/assignments", json={"team_id": 0})
    assert response.status_code == 200 and response.json() is None
    assert _conv(sandbox, 1)["team_id"] is None


def test_assignee_id_present_ignores_team_id(sandbox: Sandbox) -> None:
    sandbox.api("POST", "conversations/1/assignments", json={"assignee_id": 2, "team_id": 1})
    conv = _conv(sandbox, 1)
    assert conv["assignee_id"] == 2 and conv["team_id"] is None


def test_neither_key_changes_nothing_and_answers_null(sandbox: Sandbox) -> None:
    before = _conv(sandbox, 3)
    response = sandbox.api("POST", "conversations/3/assignments", json={})
    assert response.json() is None
    after = _conv(sandbox, 3)
    assert (after["assignee_id"], after["team_id"]) == (before["assignee_id"], before["team_id"])


def test_agent_bot_assignment_sets_the_bot_and_clears_the_user(sandbox: Sandbox) -> None:
    response = sandbox.api(
        "POST", "conversations/3/assignments", json={"assignee_id": sandbox.agent_bot_id, "assignee_type": "AgentBot"}
    )
    assert response.json() == {
        "id": sandbox.agent_bot_id,
        "name": "BIA",
        "description": "Assistente virtual da Acme",
        "thumbnail": "",
        "outgoing_url": None,
        "bot_type": "webhook",
    }
    conv = _conv(sandbox, 3)
    assert conv["assignee_agent_bot_id"] == sandbox.agent_bot_id and conv["assignee_id"] is None
    assert conv["status"] == "open"  # assigning a bot does not change the status
    meta = sandbox.api("GET", "conversations/3").json()["meta"]
    assert meta["assignee_type"] == "AgentBot" and meta["assignee"]["id"] == sandbox.agent_bot_id
    sandbox.api("POST", "conversations/3/assignments", json={"assignee_id": 1})
    conv = _conv(sandbox, 3)
    assert conv["assignee_agent_bot_id"] is None and conv["assignee_id"] == 1


def test_labels_post_replaces_the_whole_set(sandbox: Sandbox) -> None:
    assert sandbox.api("POST", "conversations/1/labels", json={"labels": ["vip", "entrega"]}).json() == {
        "payload": ["vip", "entrega"]
    }
    response = sandbox.api("POST", "conversations/1/labels", json={"labels": ["pagamento"]})
    assert response.json() == {"payload": ["pagamento"]}
    assert sandbox.api("GET", "conversations/1/labels").json() == {"payload": ["pagamento"]}
    assert _conv(sandbox, 1)["labels"] == ["pagamento"]


def test_labels_the_account_does_not_define_are_dropped_and_case_is_the_accounts(sandbox: Sandbox) -> None:
    """LabelConcern#valid_labels keeps only titles of the account's Label records (stored downcased)."""
    response = sandbox.api("POST", "conversations/1/labels", json={"labels": ["VIP", "troca", "vip", "Entrega"]})
    assert response.status_code == 200
    assert response.json() == {"payload": ["vip", "entrega"]}
    assert _conv(sandbox, 1)["labels"] == ["vip", "entrega"]


def test_an_administrator_defines_a_label_and_then_it_sticks(sandbox: Sandbox) -> None:
    """LabelsController#create (administrators): the title is downcased, must be unique and have no spaces."""
    assert (
        sandbox.api("POST", "labels", token=sandbox.agent_token, json={"label": {"title": "troca"}}).status_code == 401
    )
    created = sandbox.api("POST", "labels", json={"label": {"title": "Troca", "description": "Trocas"}})
    assert created.status_code == 200
    assert created.json() == {
        "id": created.json()["id"],
        "title": "troca",
        "description": "Trocas",
        "color": "#1f93ff",
        "show_on_sidebar": None,
    }
    again = sandbox.api("POST", "labels", json={"label": {"title": "TROCA"}})
    assert again.status_code == 422
    assert again.json() == {"message": "Title has already been taken", "attributes": ["title"]}
    spaced = sandbox.api("POST", "labels", json={"label": {"title": "duas palavras"}})
    assert spaced.json() == {"message": "Title is invalid", "attributes": ["title"]}
    assert sandbox.api("POST", "labels", json={"colour": "x"}).status_code == 422
    flat = sandbox.api("POST", "labels", json={"title": "plano", "show_on_sidebar": True})  # ParamsWrapper
    assert (flat.json()["title"], flat.json()["show_on_sidebar"]) == ("plano", True)
    assert sandbox.api("POST", "conversations/1/labels", json={"labels": ["troca"]}).json() == {"payload": ["troca"]}


def test_bot_can_read_and_write_labels(sandbox: Sandbox) -> None:
    response = sandbox.api("POST", "conversations/1/labels", token=sandbox.bot_token, json={"labels": ["vip"]})
    assert response.json() == {"payload": ["vip"]}
    assert sandbox.api("GET", "conversations/1/labels", token=sandbox.bot_token).json() == {"payload": ["vip"]}


def test_toggle_priority_answers_an_empty_200_and_empty_clears(sandbox: Sandbox) -> None:
    response = sandbox.api("POST", "conversations/1/toggle_priority", json={"priority": "urgent"})
    assert response.status_code == 200 and response.content == b""
    assert _conv(sandbox, 1)["priority"] == "urgent"
    sandbox.api("POST", "conversations/1/toggle_priority", json={"priority": ""})
    assert _conv(sandbox, 1)["priority"] is None


def test_patch_conversation_changes_only_priority(sandbox: Sandbox) -> None:
    response = sandbox.api("PATCH", "conversations/1", json={"priority": "low", "status": "resolved"})
    assert response.status_code == 200
    assert response.json()["priority"] == "low" and response.json()["status"] == "pending"


def test_renaming_a_label_renames_its_tag_and_deleting_it_leaves_the_tag(sandbox: Sandbox) -> None:
    """LabelsController#update (Labels::UpdateJob renames the tag on conversations and contacts) and #destroy (the
    tag stays); an invalid title is not saved, though the answer shows it (`update` without a bang)."""
    sandbox.api("POST", "conversations/1/labels", json={"labels": ["vip", "entrega"]})
    sandbox.api("POST", "contacts/11/labels", json={"labels": ["vip"]})
    vip = next(x for x in sandbox.api("GET", "labels").json()["payload"] if x["title"] == "vip")
    assert (
        sandbox.api("PATCH", f"labels/{vip['id']}", token=sandbox.agent_token, json={"title": "x"}).status_code == 401
    )
    renamed = sandbox.api("PATCH", f"labels/{vip['id']}", json={"label": {"title": "Premium", "color": "#000000"}})
    assert (renamed.json()["title"], renamed.json()["color"]) == ("premium", "#000000")
    assert _conv(sandbox, 1)["labels"] == ["premium", "entrega"]
    assert sandbox.api("GET", "contacts/11/labels").json() == {"payload": ["premium"]}
    listed = sandbox.api("GET", "conversations?status=all&labels[]=premium").json()["data"]["payload"]
    assert [c["id"] for c in listed] == [1]
    invalid = sandbox.api("PATCH", f"labels/{vip['id']}", json={"title": "entrega"})
    assert invalid.status_code == 200 and invalid.json()["title"] == "entrega"
    assert sandbox.api("GET", f"labels/{vip['id']}").json()["title"] == "premium"
    assert sandbox.api("DELETE", f"labels/{vip['id']}").status_code == 200
    assert sandbox.api("GET", f"labels/{vip['id']}").status_code == 404
    assert _conv(sandbox, 1)["labels"] == ["premium", "entrega"]
    assert sandbox.api("POST", "conversations/1/labels", json={"labels": ["premium"]}).json() == {"payload": []}
