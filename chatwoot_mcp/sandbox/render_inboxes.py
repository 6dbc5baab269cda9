"""`api/v1/models/_inbox`: the inbox as Chatwoot renders it (every sandbox inbox is an API channel)."""

from __future__ import annotations

from typing import Any

from .render_common import iso
from .state import Inbox, Store


def inbox(store: Store, record: Inbox, *, admin: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": record.id,
        "avatar_url": "",
        "channel_id": record.channel_id,
        "name": record.name,
        "channel_type": "Channel::Api",
        "greeting_enabled": False,
        "greeting_message": None,
        "working_hours_enabled": False,
        "enable_email_collect": True,
        "csat_survey_enabled": False,
        "csat_config": {},
        "enable_auto_assignment": True,
        "auto_assignment_config": {},
        "out_of_office_message": None,
        "working_hours": [],
        "timezone": "America/Sao_Paulo",
        "callback_webhook_url": None,
        "allow_messages_after_resolved": True,
        "lock_to_single_conversation": False,
        "sender_name_type": "friendly",
        "business_name": None,
        "webhook_url": record.webhook_url,
        "inbox_identifier": record.inbox_identifier,
        "additional_attributes": {},
    }
    if admin:
        body["hmac_token"] = record.hmac_token
        body["secret"] = record.secret
    return body


def inbox_record(record: Inbox, created_at: float) -> dict[str, Any]:
    """`json.inbox @contact_inbox.inbox`: the model's columns as `as_json` writes them, not the inbox view."""
    moment = iso(created_at)
    return {
        "id": record.id,
        "channel_id": record.channel_id,
        "account_id": record.account_id,
        "name": record.name,
        "created_at": moment,
        "updated_at": moment,
        "channel_type": "Channel::Api",
        "enable_auto_assignment": True,
        "greeting_enabled": False,
        "greeting_message": None,
        "email_address": None,
        "working_hours_enabled": False,
        "out_of_office_message": None,
        "timezone": "America/Sao_Paulo",
        "enable_email_collect": True,
        "csat_survey_enabled": False,
        "allow_messages_after_resolved": True,
        "auto_assignment_config": {},
        "lock_to_single_conversation": False,
        "portal_id": None,
        "sender_name_type": "friendly",
        "business_name": None,
    }


def inbox_slim(record: Inbox) -> dict[str, Any]:
    """The inbox inside a contact's `contact_inboxes`: no secrets, no channel settings (`provider` is the
    channel's, none for an API inbox)."""
    return {
        "id": record.id,
        "avatar_url": "",
        "channel_id": record.channel_id,
        "name": record.name,
        "channel_type": "Channel::Api",
        "provider": None,
    }
