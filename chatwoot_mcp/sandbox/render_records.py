"""Models rendered whole, as `render json: record` and jbuilder's `json.key record` write them (`as_json`): every
column of the table in schema order, times as ISO 8601, enums by name.

The columns are those of `db/schema.rb` as the code index keeps it (index id 60837662924); the sandbox has no
SLA policies, companies or conversation identifiers, so those columns are null. A contact's `location`,
`country_code` and `contact_type` are what Contacts::SyncAttributes (chatwoot/chatwoot@2117a941) sets on each save."""

from __future__ import annotations

from typing import Any

from .parsing import present
from .render_common import iso
from .state import Contact, Conversation


def contact_type(record: Contact) -> str:
    """Contacts::SyncAttributes#set_contact_type: a visitor becomes a lead once it has an e-mail, phone number,
    identifier or a `social_*` detail, and a lead stays one."""
    if record.contact_type != "visitor":
        return record.contact_type
    social = any(key.startswith("social_") and present(value) for key, value in record.additional_attributes.items())
    identified = present(record.email) or present(record.phone_number) or present(record.identifier) or social
    return "lead" if identified else "visitor"


def contact(record: Contact) -> dict[str, Any]:
    """Contact#as_json."""
    return {
        "id": record.id,
        "name": record.name,
        "email": record.email,
        "phone_number": record.phone_number,
        "account_id": record.account_id,
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at if record.updated_at is not None else record.created_at),
        "additional_attributes": record.additional_attributes,
        "identifier": record.identifier,
        "custom_attributes": record.custom_attributes,
        "last_activity_at": iso(record.last_activity_at),
        "contact_type": contact_type(record),
        "middle_name": "",
        "last_name": "",
        "location": record.additional_attributes.get("city"),
        "country_code": record.additional_attributes.get("country"),
        "blocked": record.blocked,
        "company_id": None,
    }


def conversation(record: Conversation) -> dict[str, Any]:
    """Conversation#as_json (`cached_label_list` as acts-as-taggable-on caches it: the names joined by `, `)."""
    return {
        "id": record.id,
        "account_id": record.account_id,
        "inbox_id": record.inbox_id,
        "status": record.status,
        "assignee_id": record.assignee_id,
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at),
        "contact_id": record.contact_id,
        "display_id": record.display_id,
        "contact_last_seen_at": iso(record.contact_last_seen_at),
        "agent_last_seen_at": iso(record.agent_last_seen_at),
        "additional_attributes": record.additional_attributes,
        "contact_inbox_id": record.contact_inbox_id,
        "uuid": record.uuid,
        "identifier": None,
        "last_activity_at": iso(record.last_activity_at),
        "team_id": record.team_id,
        "campaign_id": record.campaign_id,
        "snoozed_until": iso(record.snoozed_until),
        "custom_attributes": record.custom_attributes,
        "assignee_last_seen_at": iso(record.assignee_last_seen_at),
        "first_reply_created_at": iso(record.first_reply_created_at),
        "priority": record.priority,
        "sla_policy_id": None,
        "waiting_since": iso(record.waiting_since),
        "cached_label_list": ", ".join(record.labels) if record.labels else None,
        "assignee_agent_bot_id": record.assignee_agent_bot_id,
    }
