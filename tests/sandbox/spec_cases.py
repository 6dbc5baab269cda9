"""The requests the spec validation sends beyond the conversations: what the console and the handoff records read,
and the contact and label writes."""

from __future__ import annotations

import time

import httpx2

from tests.conftest import Sandbox
from tests.sandbox.spec_case import Case
from tests.sandbox.spec_cases_inboxes import inbox_cases

__all__ = ["Case", "all_cases"]


def console_cases(box: Sandbox, a: str, acc: str) -> list[Case]:
    """What the console and the handoff records read: contacts, labels, canned responses, team members, reports."""
    v2, acc2 = "/api/v2/accounts/{account_id}", f"/api/v2/accounts/{box.account_id}"
    now = int(time.time())
    span = f"since={now - 600}&until={now + 60}"  # nothing reported in it nor in the period before
    return [
        Case("contactList", "get", f"{a}/contacts", f"{acc}/contacts?sort=-last_activity_at&page=1"),
        Case(
            "contactCreate",
            "post",
            f"{a}/contacts",
            f"{acc}/contacts",
            body={
                "name": "Nova Cliente",
                "email": "nova@example.com.br",
                "phone_number": "+5511955554444",
                "inbox_id": box.inbox("Site")["id"],
            },
        ),
        Case("contactDetails", "get", f"{a}/contacts/{{id}}", f"{acc}/contacts/11"),
        Case("contactDetails", "get", f"{a}/contacts/{{id}}", f"{acc}/contacts/999999"),
        Case("contactUpdate", "put", f"{a}/contacts/{{id}}", f"{acc}/contacts/11", body={"name": "Maria S. Silva"}),
        Case("contactConversations", "get", f"{a}/contacts/{{id}}/conversations", f"{acc}/contacts/13/conversations"),
        Case("list-all-labels", "get", f"{a}/labels", f"{acc}/labels"),
        Case("get-details-of-a-single-label", "get", f"{a}/labels/{{id}}", f"{acc}/labels/1"),
        Case("get-account-canned-response", "get", f"{a}/canned_responses", f"{acc}/canned_responses"),
        Case("get-team-members", "get", f"{a}/teams/{{team_id}}/team_members", f"{acc}/teams/1/team_members"),
        Case(
            "list-all-conversation-statistics",
            "get",
            f"{v2}/reports",
            f"{acc2}/reports?metric=conversations_count&type=account&group_by=day&{span}",
        ),
        Case(
            "list-all-conversation-statistics",
            "get",
            f"{v2}/reports",
            f"{acc2}/reports?metric=bot_handoffs_count&type=account&{span}",
            token="agent",
        ),
        Case(
            "list-all-conversation-statistics-summary",
            "get",
            f"{v2}/reports/summary",
            f"{acc2}/reports/summary?type=account&{span}",
        ),
        Case(
            "get-account-reporting-events",
            "get",
            f"{a}/reporting_events",
            f"{acc}/reporting_events?name=conversation_bot_handoff",
        ),
        Case(
            "get-conversation-reporting-events",
            "get",
            f"{a}/conversations/{{conversation_id}}/reporting_events",
            f"{acc}/conversations/3/reporting_events",
        ),
    ]


def contact_cases(box: Sandbox, a: str, acc: str, pub: str, pc: str, contact: str) -> list[Case]:
    """Label creation, a public contact's update, and deleting the contact the public cases made (so it runs last)."""
    created = box.api("POST", "contacts", json={"name": "Apagar Spec"}).json()["payload"]["contact"]["id"]
    merged = box.api("POST", "contacts", json={"name": "Juntar Spec"}).json()["payload"]["contact"]["id"]
    return [
        Case(
            "create-a-label",
            "post",
            f"{a}/labels",
            f"{acc}/labels",
            body={"title": "spec-label", "description": "Da validação", "color": "#123456", "show_on_sidebar": True},
        ),
        Case("update-a-label", "patch", f"{a}/labels/{{id}}", f"{acc}/labels/4", body={"description": "Boletos e PIX"}),
        Case("delete-a-label", "delete", f"{a}/labels/{{id}}", f"{acc}/labels/4"),
        Case("update-a-contact", "patch", pc, f"{pub}/contacts/{contact}", body={"name": "Cliente Spec Dois"}),
        Case(
            "contactFilter",
            "post",
            f"{a}/contacts/filter",
            f"{acc}/contacts/filter",
            body={"payload": [{"attribute_key": "name", "filter_operator": "contains", "values": ["silva"]}]},
        ),
        Case(
            "contact-add-labels",
            "post",
            f"{a}/contacts/{{id}}/labels",
            f"{acc}/contacts/12/labels",
            body={"labels": ["vip"]},
        ),
        Case("list-all-labels-of-a-contact", "get", f"{a}/contacts/{{id}}/labels", f"{acc}/contacts/12/labels"),
        Case(
            "contactableInboxesGet",
            "get",
            f"{a}/contacts/{{id}}/contactable_inboxes",
            f"{acc}/contacts/11/contactable_inboxes",
            token="agent",
        ),
        Case(
            "contactMerge",
            "post",
            f"{a}/actions/contact_merge",
            f"{acc}/actions/contact_merge",
            body={"base_contact_id": created, "mergee_contact_id": merged},
        ),
        Case("contactDelete", "delete", f"{a}/contacts/{{id}}", f"{acc}/contacts/{created}"),
        Case("contactDelete", "delete", f"{a}/contacts/{{id}}", f"{acc}/contacts/{created}", token="agent"),
    ]


def all_cases(box: Sandbox, client: httpx2.Client) -> list[Case]:
    """Every request the validation sends, in order (the contact deletion last)."""
    a = "/api/v1/accounts/{account_id}"
    acc = f"/api/v1/accounts/{box.account_id}"
    site = box.inbox("Site")
    pub = f"/public/api/v1/inboxes/{site['inbox_identifier']}"
    contact = client.post(f"{pub}/contacts", json={"name": "Cliente Spec"}).json()["source_id"]
    conv = client.post(f"{pub}/contacts/{contact}/conversations", json={}).json()["id"]
    message = client.post(f"{pub}/contacts/{contact}/conversations/{conv}/messages", json={"content": "Olá"}).json()[
        "id"
    ]
    hook = client.post(
        f"{acc}/webhooks",
        headers={"api_access_token": box.admin_token},
        json={"webhook": {"url": "https://example.com/spec", "subscriptions": ["message_created"]}},
    ).json()["payload"]["webhook"]["id"]
    pc = "/public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}"
    pconv = f"{pc}/conversations/{{conversation_id}}"
    return [
        Case("get-details-of-a-contact", "get", pc, f"{pub}/contacts/{contact}"),
        Case(
            "create-a-conversation", "post", f"{pc}/conversations", f"{pub}/contacts/{contact}/conversations", body={}
        ),
        Case("list-all-contact-conversations", "get", f"{pc}/conversations", f"{pub}/contacts/{contact}/conversations"),
        Case("get-single-conversation", "get", pconv, f"{pub}/contacts/{contact}/conversations/{conv}"),
        Case(
            "create-a-message",
            "post",
            f"{pconv}/messages",
            f"{pub}/contacts/{contact}/conversations/{conv}/messages",
            body={"content": "Tudo bem?"},
        ),
        Case(
            "update-a-message",
            "patch",
            f"{pconv}/messages/{{message_id}}",
            f"{pub}/contacts/{contact}/conversations/{conv}/messages/{message}",
            body={"submitted_values": [{"title": "Sim", "value": "sim"}]},
        ),
        Case(
            "toggle-typing-status",
            "post",
            f"{pconv}/toggle_typing",
            f"{pub}/contacts/{contact}/conversations/{conv}/toggle_typing",
            body={"typing_status": "on"},
        ),
        Case(
            "update-last-seen",
            "post",
            f"{pconv}/update_last_seen",
            f"{pub}/contacts/{contact}/conversations/{conv}/update_last_seen",
            body={},
        ),
        Case(
            "resolve-conversation",
            "post",
            f"{pconv}/toggle_status",
            f"{pub}/contacts/{contact}/conversations/{conv}/toggle_status",
            body={},
        ),
        Case(
            "list-all-conversation-messages",
            "get",
            f"{pconv}/messages",
            f"{pub}/contacts/{contact}/conversations/{conv}/messages",
        ),
        Case("fetchProfile", "get", "/api/v1/profile", "/api/v1/profile"),
        Case("fetchProfile", "get", "/api/v1/profile", "/api/v1/profile", token="none"),
        Case("conversationList", "get", f"{a}/conversations", f"{acc}/conversations?status=all"),
        Case("conversationList", "get", f"{a}/conversations", f"{acc}/conversations", token="bot"),
        Case("conversationListMeta", "get", f"{a}/conversations/meta", f"{acc}/conversations/meta?status=all"),
        Case(
            "conversationFilter",
            "post",
            f"{a}/conversations/filter",
            f"{acc}/conversations/filter",
            body={"payload": [{"attribute_key": "status", "filter_operator": "equal_to", "values": ["pending"]}]},
        ),
        Case(
            "get-details-of-a-conversation", "get", f"{a}/conversations/{{conversation_id}}", f"{acc}/conversations/3"
        ),
        Case(
            "get-details-of-a-conversation", "get", f"{a}/conversations/{{conversation_id}}", f"{acc}/conversations/999"
        ),
        Case(
            "update-conversation",
            "patch",
            f"{a}/conversations/{{conversation_id}}",
            f"{acc}/conversations/1",
            body={"priority": "high"},
        ),
        Case(
            "newConversation",
            "post",
            f"{a}/conversations",
            f"{acc}/conversations",
            body={"inbox_id": site["id"], "contact_id": 11, "message": {"content": "Olá"}},
        ),
        Case(
            "toggle-status-of-a-conversation",
            "post",
            f"{a}/conversations/{{conversation_id}}/toggle_status",
            f"{acc}/conversations/4/toggle_status",
            body={"status": "resolved"},
        ),
        Case(
            "toggle-status-of-a-conversation",
            "post",
            f"{a}/conversations/{{conversation_id}}/toggle_status",
            f"{acc}/conversations/999/toggle_status",
            body={"status": "resolved"},
        ),
        Case(
            "toggle-status-of-a-conversation/bot-handoff",
            "post",
            f"{a}/conversations/{{conversation_id}}/toggle_status",
            f"{acc}/conversations/1/toggle_status",
            token="bot",
            body={"status": "open"},
        ),
        Case(
            "toggle-priority-of-a-conversation",
            "post",
            f"{a}/conversations/{{conversation_id}}/toggle_priority",
            f"{acc}/conversations/1/toggle_priority",
            body={"priority": "low"},
        ),
        Case(
            "toggle-typing-status-of-a-conversation",
            "post",
            f"{a}/conversations/{{conversation_id}}/toggle_typing_status",
            f"{acc}/conversations/1/toggle_typing_status",
            body={"typing_status": "on"},
        ),
        Case(
            "update-custom-attributes-of-a-conversation",
            "post",
            f"{a}/conversations/{{conversation_id}}/custom_attributes",
            f"{acc}/conversations/1/custom_attributes",
            body={"custom_attributes": {"pedido": "1029"}},
        ),
        Case(
            "assign-a-conversation",
            "post",
            f"{a}/conversations/{{conversation_id}}/assignments",
            f"{acc}/conversations/1/assignments",
            body={"assignee_id": 2},
        ),
        Case(
            "assign-a-conversation/unassign",
            "post",
            f"{a}/conversations/{{conversation_id}}/assignments",
            f"{acc}/conversations/1/assignments",
            body={"assignee_id": None},
        ),
        Case(
            "list-all-labels-of-a-conversation",
            "get",
            f"{a}/conversations/{{conversation_id}}/labels",
            f"{acc}/conversations/3/labels",
        ),
        Case(
            "conversation-add-labels",
            "post",
            f"{a}/conversations/{{conversation_id}}/labels",
            f"{acc}/conversations/1/labels",
            body={"labels": ["vip"]},
        ),
        Case(
            "list-all-messages",
            "get",
            f"{a}/conversations/{{conversation_id}}/messages",
            f"{acc}/conversations/2/messages",
        ),
        Case(
            "list-all-messages",
            "get",
            f"{a}/conversations/{{conversation_id}}/messages",
            f"{acc}/conversations/2/messages",
            token="bot",
        ),
        Case(
            "create-a-new-message-in-a-conversation",
            "post",
            f"{a}/conversations/{{conversation_id}}/messages",
            f"{acc}/conversations/2/messages",
            body={"content": "Oi!", "private": False},
        ),
        Case(
            "delete-a-message",
            "delete",
            f"{a}/conversations/{{conversation_id}}/messages/{{message_id}}",
            f"{acc}/conversations/2/messages/1003",
        ),
        Case("listAllInboxes", "get", f"{a}/inboxes", f"{acc}/inboxes"),
        Case("GetInbox", "get", f"{a}/inboxes/{{id}}", f"{acc}/inboxes/{site['id']}"),
        Case("getInboxAgentBot", "get", f"{a}/inboxes/{{id}}/agent_bot", f"{acc}/inboxes/{site['id']}/agent_bot"),
        Case(
            "updateAgentBot",
            "post",
            f"{a}/inboxes/{{id}}/set_agent_bot",
            f"{acc}/inboxes/{site['id']}/set_agent_bot",
            body={"agent_bot": box.agent_bot_id},
        ),
        Case("get-account-agents", "get", f"{a}/agents", f"{acc}/agents"),
        Case("list-all-teams", "get", f"{a}/teams", f"{acc}/teams"),
        Case("get-details-of-a-single-team", "get", f"{a}/teams/{{team_id}}", f"{acc}/teams/1"),
        Case("contactSearch", "get", f"{a}/contacts/search", f"{acc}/contacts/search?q=silva"),
        Case("list-all-account-agent-bots", "get", f"{a}/agent_bots", f"{acc}/agent_bots"),
        Case(
            "get-details-of-a-single-account-agent-bot",
            "get",
            f"{a}/agent_bots/{{id}}",
            f"{acc}/agent_bots/{box.agent_bot_id}",
        ),
        Case(
            "create-an-account-agent-bot",
            "post",
            f"{a}/agent_bots",
            f"{acc}/agent_bots",
            body={"name": "Outro bot", "outgoing_url": "https://example.com/bot"},
        ),
        Case(
            "update-an-account-agent-bot",
            "patch",
            f"{a}/agent_bots/{{id}}",
            f"{acc}/agent_bots/{box.agent_bot_id}",
            body={"description": "BIA 2"},
        ),
        Case("list-all-webhooks", "get", f"{a}/webhooks", f"{acc}/webhooks"),
        Case(
            "create-a-webhook",
            "post",
            f"{a}/webhooks",
            f"{acc}/webhooks",
            body={"webhook": {"url": "https://example.com/w", "subscriptions": ["message_created"]}},
        ),
        Case(
            "update-a-webhook",
            "patch",
            f"{a}/webhooks/{{webhook_id}}",
            f"{acc}/webhooks/{hook}",
            body={"webhook": {"name": "Spec"}},
        ),
        Case("delete-a-webhook", "delete", f"{a}/webhooks/{{webhook_id}}", f"{acc}/webhooks/{hook}"),
        Case("delete-an-account-agent-bot", "delete", f"{a}/agent_bots/{{id}}", f"{acc}/agent_bots/{box.agent_bot_id}"),
        *console_cases(box, a, acc),
        *contact_cases(box, a, acc, pub, pc, contact),
        *inbox_cases(box, a, acc),
        Case("get-details-of-a-inbox", "get", "/public/api/v1/inboxes/{inbox_identifier}", pub),
        Case(
            "create-a-contact",
            "post",
            "/public/api/v1/inboxes/{inbox_identifier}/contacts",
            f"{pub}/contacts",
            body={"name": "Bia Cliente"},
        ),
    ]
