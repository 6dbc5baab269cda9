"""Conversation lists, counts, filters, pages of 25, show, create, and the public client API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from tests.conftest import Sandbox

CONVERSATION_KEYS = {
    "meta",
    "id",
    "messages",
    "account_id",
    "uuid",
    "additional_attributes",
    "agent_last_seen_at",
    "assignee_last_seen_at",
    "can_reply",
    "contact_last_seen_at",
    "custom_attributes",
    "inbox_id",
    "labels",
    "muted",
    "snoozed_until",
    "status",
    "created_at",
    "updated_at",
    "timestamp",
    "first_reply_created_at",
    "unread_count",
    "last_non_activity_message",
    "last_activity_at",
    "priority",
    "waiting_since",
    "sla_policy_id",
}


_CLIENT = httpx2.Client(timeout=10)


@pytest.fixture(scope="module", autouse=True)
def _close_client() -> Iterator[None]:
    yield
    _CLIENT.close()


def _public(box: Sandbox, inbox_name: str, path: str, **kwargs: Any) -> httpx2.Response:
    identifier = box.inbox(inbox_name)["inbox_identifier"]
    return _CLIENT.post(f"{box.base_url}/public/api/v1/inboxes/{identifier}/{path}", **kwargs)


def _new_customer_conversation(box: Sandbox, inbox_name: str = "WhatsApp", name: str = "Cliente") -> tuple[str, int]:
    contact = _public(box, inbox_name, "contacts", json={"name": name, "phone_number": "+5511900000000"}).json()
    conv = _public(box, inbox_name, f"contacts/{contact['source_id']}/conversations", json={}).json()
    return contact["source_id"], int(conv["id"])


def test_conversation_object_has_every_key_chatwoot_renders(sandbox: Sandbox) -> None:
    conv = sandbox.api("GET", "conversations/3").json()
    assert set(conv) >= CONVERSATION_KEYS
    assert set(conv["meta"]) == {"sender", "channel", "assignee", "assignee_type", "team", "hmac_verified"}
    assert conv["meta"]["assignee_type"] == "User" and conv["meta"]["team"]["name"] == "Humanos"
    assert isinstance(conv["created_at"], int) and isinstance(conv["updated_at"], float)
    assert isinstance(conv["waiting_since"], int) and isinstance(conv["timestamp"], int)
    last = conv["messages"][0]
    assert last["message_type"] == 1 and last["sender"]["type"] == "user"
    assert conv["labels"] == ["reclamacao"] and conv["priority"] == "high"


def test_default_status_is_open_and_counts_ignore_assignee_type(sandbox: Sandbox) -> None:
    body = sandbox.api("GET", "conversations").json()["data"]
    assert {c["status"] for c in body["payload"]} == {"open"}
    assert body["meta"] == {"mine_count": 1, "assigned_count": 1, "unassigned_count": 1, "all_count": 2}
    mine = sandbox.api("GET", "conversations?assignee_type=me").json()["data"]
    assert [c["meta"]["assignee"]["id"] for c in mine["payload"]] == [1]
    assert mine["meta"] == body["meta"]
    unassigned = sandbox.api("GET", "conversations?assignee_type=unassigned").json()["data"]["payload"]
    assert all("assignee" not in c["meta"] for c in unassigned) and len(unassigned) == 1


def test_list_is_sorted_by_last_activity_descending(sandbox: Sandbox) -> None:
    payload = sandbox.api("GET", "conversations?status=all").json()["data"]["payload"]
    activity = [c["last_activity_at"] for c in payload]
    assert activity == sorted(activity, reverse=True)


def test_filters_by_inbox_labels_and_q(sandbox: Sandbox) -> None:
    site = sandbox.inbox("Site")["id"]
    by_inbox = sandbox.api("GET", f"conversations?status=all&inbox_id={site}").json()["data"]["payload"]
    assert by_inbox and {c["inbox_id"] for c in by_inbox} == {site}
    by_label = sandbox.api("GET", "conversations?status=all&labels[]=entrega&labels[]=nada").json()["data"]["payload"]
    assert [c["labels"] for c in by_label] == [["entrega"]]
    by_q = sandbox.api("GET", "conversations?q=Campinas").json()["data"]["payload"]
    assert [c["status"] for c in by_q] == ["pending"]  # q skips the default open filter


def test_unknown_team_filter_is_a_404(sandbox: Sandbox) -> None:
    assert sandbox.api("GET", "conversations?team_id=99").status_code == 404
    team = sandbox.api("GET", "conversations?status=all&team_id=1").json()["data"]["payload"]
    assert [c["id"] for c in team] == [3]


def test_meta_endpoint_counts_like_the_list(sandbox: Sandbox) -> None:
    meta = sandbox.api("GET", "conversations/meta?status=pending").json()
    assert meta == {"meta": {"mine_count": 0, "assigned_count": 0, "unassigned_count": 2, "all_count": 2}}


def test_pages_hold_twenty_five_conversations(sandbox: Sandbox) -> None:
    for index in range(26):
        _new_customer_conversation(sandbox, name=f"Cliente {index}")
    first = sandbox.api("GET", "conversations?status=pending").json()["data"]
    second = sandbox.api("GET", "conversations?status=pending&page=2").json()["data"]
    assert len(first["payload"]) == 25
    assert len(second["payload"]) == 3
    assert first["meta"]["all_count"] == 28
    assert not {c["id"] for c in first["payload"]} & {c["id"] for c in second["payload"]}


def test_filter_endpoint_has_no_data_wrapper_and_chains_rules(sandbox: Sandbox) -> None:
    payload = [
        {"attribute_key": "status", "filter_operator": "equal_to", "values": ["pending"], "query_operator": "AND"},
        {"attribute_key": "inbox_id", "filter_operator": "equal_to", "values": [sandbox.inbox("Site")["id"]]},
    ]
    body = sandbox.api("POST", "conversations/filter", json={"payload": payload}).json()
    assert set(body) == {"meta", "payload"}
    assert set(body["meta"]) == {"mine_count", "unassigned_count", "all_count"}
    assert [c["id"] for c in body["payload"]] == [2]
    present = [{"attribute_key": "labels", "filter_operator": "is_present", "values": []}]
    labelled = sandbox.api("POST", "conversations/filter", json={"payload": present}).json()["payload"]
    assert sorted(c["id"] for c in labelled) == [3, 5]
    bad = [{"attribute_key": "mood", "filter_operator": "equal_to", "values": ["x"]}]
    response = sandbox.api("POST", "conversations/filter", json={"payload": bad})
    assert response.status_code == 422 and "error" in response.json()


def test_new_conversation_in_a_bot_inbox_starts_pending_whatever_status_is_sent(sandbox: Sandbox) -> None:
    response = sandbox.api(
        "POST",
        "conversations",
        json={
            "inbox_id": sandbox.inbox("Site")["id"],
            "contact_id": 11,
            "status": "open",
            "message": {"content": "Olá, aqui é a Acme"},
        },
    )
    assert response.status_code == 200
    conv = response.json()
    assert conv["status"] == "pending"
    assert conv["messages"][0]["content"] == "Olá, aqui é a Acme"
    assert conv["messages"][0]["message_type"] == 1


def test_public_api_plays_the_customer(sandbox: Sandbox) -> None:
    contact = _public(sandbox, "Site", "contacts", json={"name": "Rafaela Souza", "email": "rafa@example.com.br"})
    assert contact.status_code == 200
    body = contact.json()
    assert set(body) == {"source_id", "pubsub_token", "id", "name", "email", "phone_number"}
    conv = _public(sandbox, "Site", f"contacts/{body['source_id']}/conversations", json={}).json()
    assert conv["status"] == "pending"
    sent = _public(
        sandbox,
        "Site",
        f"contacts/{body['source_id']}/conversations/{conv['id']}/messages",
        json={"content": "Quero trocar um produto"},
    )
    assert sent.status_code == 200 and sent.json()["message_type"] == 0
    identifier = sandbox.inbox("Site")["inbox_identifier"]
    listed = httpx2.get(
        f"{sandbox.base_url}/public/api/v1/inboxes/{identifier}/contacts/{body['source_id']}"
        f"/conversations/{conv['id']}/messages"
    ).json()
    assert [m["content"] for m in listed] == ["Quero trocar um produto"]
    shown = sandbox.api("GET", f"conversations/{conv['id']}").json()
    assert shown["meta"]["sender"]["name"] == "Rafaela Souza"
    assert shown["unread_count"] == 1 and shown["waiting_since"] > 0


def test_public_api_with_an_unknown_inbox_is_a_404(sandbox: Sandbox) -> None:
    response = httpx2.post(f"{sandbox.base_url}/public/api/v1/inboxes/nope/contacts", json={})
    assert response.status_code == 404


def test_incoming_message_reopens_resolved_as_pending_and_snoozed_as_open(sandbox: Sandbox) -> None:
    state = sandbox.control("GET", "state")["conversations"]
    resolved = next(c for c in state if c["status"] == "resolved")
    snoozed = next(c for c in state if c["status"] == "snoozed")
    for conv in (resolved, snoozed):
        inbox = next(i for i in sandbox.info["inboxes"] if i["id"] == conv["inbox_id"])
        _public(
            sandbox,
            inbox["name"],
            f"contacts/{conv['source_id']}/conversations/{conv['id']}/messages",
            json={"content": "Oi de novo"},
        )
    after = {c["id"]: c for c in sandbox.control("GET", "state")["conversations"]}
    assert after[resolved["id"]]["status"] == "pending"
    assert after[snoozed["id"]]["status"] == "open"
    assert after[snoozed["id"]]["snoozed_until"] is None


def test_incoming_message_reopens_resolved_as_open_when_no_bot_is_connected(sandbox: Sandbox) -> None:
    whatsapp = sandbox.inbox("WhatsApp")["id"]
    response = sandbox.api("POST", f"inboxes/{whatsapp}/set_agent_bot", json={"agent_bot": None})
    assert response.status_code == 200 and response.content == b""
    assert sandbox.api("GET", f"inboxes/{whatsapp}/agent_bot").json() == {"agent_bot": {}}
    resolved = next(c for c in sandbox.control("GET", "state")["conversations"] if c["status"] == "resolved")
    sandbox.api("POST", f"conversations/{resolved['id']}/messages", json={"content": "Oi", "message_type": "incoming"})
    assert sandbox.api("GET", f"conversations/{resolved['id']}").json()["status"] == "open"


def test_agent_sees_only_their_inboxes_and_no_secrets(sandbox: Sandbox) -> None:
    carla = sandbox.agent("agent", 1)
    agent_view = sandbox.api("GET", "inboxes", token=carla["access_token"]).json()["payload"]
    assert [i["name"] for i in agent_view] == ["WhatsApp"]
    assert "secret" not in agent_view[0] and "hmac_token" not in agent_view[0]
    admin_view = sandbox.api("GET", "inboxes").json()["payload"]
    assert len(admin_view) == 2 and all(i["secret"] for i in admin_view)
    assert all(i["inbox_identifier"] for i in admin_view)


def test_agents_and_teams_are_bare_arrays(sandbox: Sandbox) -> None:
    agents = sandbox.api("GET", "agents").json()
    assert isinstance(agents, list) and {a["role"] for a in agents} == {"administrator", "agent"}
    teams = sandbox.api("GET", "teams", token=sandbox.agent_token).json()
    assert teams == [
        {
            "id": 1,
            "name": "Humanos",
            "description": "Atendimento humano",
            "allow_auto_assign": True,
            "account_id": 1,
            "is_member": True,
        }
    ]


def test_contact_search_pages_hold_fifteen(sandbox: Sandbox) -> None:
    for index in range(17):
        _public(sandbox, "Site", "contacts", json={"name": f"Zeca Teste {index}"})
    first = sandbox.api("GET", "contacts/search?q=zeca").json()
    assert first["meta"] == {"count": 15, "current_page": 1, "has_more": True}
    second = sandbox.api("GET", "contacts/search?q=zeca&page=2").json()
    assert second["meta"] == {"count": 2, "current_page": 2, "has_more": False}
    assert first["payload"][0]["contact_inboxes"][0]["inbox"]["name"] == "Site"


def test_profile_lists_the_accounts_with_the_role(sandbox: Sandbox) -> None:
    response = httpx2.get(f"{sandbox.base_url}/api/v1/profile", headers={"api_access_token": sandbox.agent_token})
    body = response.json()
    assert body["role"] == "agent"
    assert [(a["id"], a["name"], a["role"]) for a in body["accounts"]] == [(1, "Acme Suporte", "agent")]


def test_search_finds_message_content_in_any_status(sandbox: Sandbox) -> None:
    body = sandbox.api("GET", "conversations/search?q=boleto").json()
    assert set(body["meta"]) == {"mine_count", "unassigned_count", "all_count"}
    assert [(c["id"], c["status"]) for c in body["payload"]] == [(6, "snoozed")]


def test_updated_within_returns_only_recent_changes_without_pages(sandbox: Sandbox) -> None:
    sandbox.api("POST", "conversations/5/labels", json={"labels": ["vip"]})
    body = sandbox.api("GET", "conversations?status=all&updated_within=60").json()["data"]
    assert [c["id"] for c in body["payload"]] == [5]


def test_public_contact_with_a_known_phone_number_reuses_the_contact(sandbox: Sandbox) -> None:
    first = _public(sandbox, "Site", "contacts", json={"name": "Maria", "phone_number": "+5511987654321"}).json()
    assert first["id"] == 11 and first["name"] == "Maria Silva"  # the seeded contact with that number
    second = _public(sandbox, "Site", "contacts", json={"email": "MARIA.SILVA@example.com.br"}).json()
    assert second["id"] == 11 and second["source_id"] != first["source_id"]


def test_a_muted_conversation_stays_resolved_when_the_contact_writes(sandbox: Sandbox) -> None:
    """Message#reopen_conversation returns early for a muted conversation (its contact is blocked); unmuting lets
    the next message reopen it."""
    assert sandbox.api("POST", "conversations/1/mute").status_code == 200
    sandbox.api("POST", "conversations/1/messages", json={"content": "oi?", "message_type": "incoming"})
    assert sandbox.api("GET", "conversations/1").json()["status"] == "resolved"
    assert sandbox.api("POST", "conversations/1/unmute").status_code == 200
    sandbox.api("POST", "conversations/1/messages", json={"content": "alô?", "message_type": "incoming"})
    assert sandbox.api("GET", "conversations/1").json()["status"] != "resolved"


def test_the_customer_resolves_the_conversation_once(sandbox: Sandbox) -> None:
    """Public::Api::V1::Inboxes::ConversationsController#toggle_status: resolved, with the activity naming the contact
    (`contact_resolved`, the name as Ruby's capitalize writes it); a second call changes nothing."""
    source_id, display_id = _new_customer_conversation(sandbox, name="maria SOUZA")
    path = f"contacts/{source_id}/conversations/{display_id}/toggle_status"
    first = _public(sandbox, "WhatsApp", path)
    assert first.status_code == 200 and first.json()["status"] == "resolved"
    shown = sandbox.api("GET", f"conversations/{display_id}/messages").json()["payload"]
    activities = [m["content"] for m in shown if m["message_type"] == 2]
    assert activities == ["Conversation was resolved by Maria souza"]
    again = _public(sandbox, "WhatsApp", path)
    assert again.json()["status"] == "resolved"
    shown = sandbox.api("GET", f"conversations/{display_id}/messages").json()["payload"]
    assert [m["content"] for m in shown if m["message_type"] == 2] == activities
