"""The requests the spec validation sends beyond the conversations: what the console and the handoff records read,
and the contact and label writes."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from tests.conftest import Sandbox


@dataclass(frozen=True)
class Case:
    label: str  # operationId, with an optional /variant
    method: str
    spec_path: str
    path: str
    token: str = "admin"  # admin | agent | bot | none
    body: Any = None


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
    return [
        Case(
            "create-a-label",
            "post",
            f"{a}/labels",
            f"{acc}/labels",
            body={"title": "spec-label", "description": "Da validação", "color": "#123456", "show_on_sidebar": True},
        ),
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
        Case("contactDelete", "delete", f"{a}/contacts/{{id}}", f"{acc}/contacts/{created}"),
        Case("contactDelete", "delete", f"{a}/contacts/{{id}}", f"{acc}/contacts/{created}", token="agent"),
    ]
