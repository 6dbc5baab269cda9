"""The spec validation's requests for inboxes created and changed, an inbox's members and the account itself."""

from __future__ import annotations

from tests.conftest import Sandbox
from tests.sandbox.spec_case import Case


def inbox_cases(box: Sandbox, a: str, acc: str) -> list[Case]:
    """Inboxes created and changed, an inbox's members, the account itself (chatwoot_mcp/sandbox/api_inboxes.py,
    api_inbox_members.py, api_account_settings.py)."""
    site = box.inbox("Site")["id"]
    members = {"inbox_id": site, "user_ids": [3]}
    return [
        Case(
            "inboxCreation",
            "post",
            f"{a}/inboxes",
            f"{acc}/inboxes",
            body={"name": "Loja", "channel": {"type": "api", "webhook_url": "https://example.com/loja"}},
        ),
        Case(
            "inboxCreation/web_widget",
            "post",
            f"{a}/inboxes",
            f"{acc}/inboxes",
            body={"name": "Chat do site", "channel": {"type": "web_widget", "website_url": "https://acme.com.br"}},
        ),
        Case(
            "inboxCreation/email",
            "post",
            f"{a}/inboxes",
            f"{acc}/inboxes",
            body={"name": "Email", "channel": {"type": "email", "email": "atendimento@acme.com.br"}},
        ),
        Case(
            "inboxCreation/whatsapp",
            "post",
            f"{a}/inboxes",
            f"{acc}/inboxes",
            body={"name": "WhatsApp Vendas", "channel": {"type": "whatsapp", "phone_number": "+5511988887777"}},
        ),
        Case(
            "updateInbox",
            "patch",
            f"{a}/inboxes/{{id}}",
            f"{acc}/inboxes/{site}",
            body={"greeting_enabled": True, "greeting_message": "Olá!", "csat_survey_enabled": True},
        ),
        Case("get-account-details", "get", a, acc),
        Case("update-account", "patch", a, acc, body={"name": "Acme Suporte", "auto_resolve_after": 1440}),
        Case("get-inbox-members", "get", f"{a}/inbox_members/{{inbox_id}}", f"{acc}/inbox_members/{site}"),
        Case("add-new-agent-to-inbox", "post", f"{a}/inbox_members", f"{acc}/inbox_members", body=members),
        Case(
            "update-agents-in-inbox",
            "patch",
            f"{a}/inbox_members",
            f"{acc}/inbox_members",
            body={"inbox_id": site, "user_ids": [2, 3]},
        ),
        Case("delete-agent-in-inbox", "delete", f"{a}/inbox_members", f"{acc}/inbox_members", body=members),
    ]
