"""`api/v1/models/_inbox`: the inbox as Chatwoot renders it (an API channel, a web widget or an email channel)."""

from __future__ import annotations

from typing import Any

from .email_channel import EMAIL, email_keys
from .inbox_settings import WEB_WIDGET
from .line_sms_channels import LINE, SMS
from .line_sms_channels import keys as line_sms_keys
from .render_common import iso
from .state import Inbox, Store
from .twilio_channel import TWILIO, twilio_keys
from .twitter_channel import TWITTER, twitter_keys
from .whatsapp_channel import WHATSAPP, whatsapp_keys


def inbox(store: Store, record: Inbox, *, admin: bool) -> dict[str, Any]:
    settings = record.settings
    body: dict[str, Any] = {
        "id": record.id,
        "avatar_url": record.avatar_url,
        "channel_id": record.channel_id,
        "name": record.name,
        "channel_type": record.channel_type,
        **{key: settings[key] for key in HEAD_SETTINGS},
        "callback_webhook_url": None,
        **{key: settings[key] for key in TAIL_SETTINGS},
    }
    if record.channel_type == WEB_WIDGET:
        body.update(web_widget_keys(record, admin=admin))
        return body
    if record.channel_type == EMAIL:
        body.update(email_keys(record, admin=admin))
        return body
    if record.channel_type in (LINE, SMS):
        body.update(line_sms_keys(record))
        return body
    if record.channel_type == TWILIO:
        body.update(twilio_keys(record, admin=admin))
        return body
    if record.channel_type == WHATSAPP:
        body.update(whatsapp_keys(record, admin=admin))
        return body
    if record.channel_type == TWITTER:
        body.update(twitter_keys(record))
        return body
    body["webhook_url"] = record.webhook_url
    body["inbox_identifier"] = record.inbox_identifier
    body["additional_attributes"] = {}
    if admin:
        body["hmac_token"] = record.hmac_token
        body["secret"] = record.secret
    return body


# the jbuilder's order: these before callback_webhook_url, the rest after it
HEAD_SETTINGS = (
    "greeting_enabled",
    "greeting_message",
    "working_hours_enabled",
    "enable_email_collect",
    "csat_survey_enabled",
    "csat_config",
    "enable_auto_assignment",
    "auto_assignment_config",
    "out_of_office_message",
    "working_hours",
    "timezone",
)
TAIL_SETTINGS = (
    "allow_messages_after_resolved",
    "lock_to_single_conversation",
    "sender_name_type",
    "business_name",
    "active",
)


def web_widget_keys(record: Inbox, *, admin: bool) -> dict[str, Any]:
    """The jbuilder's WebWidget attributes; `hmac_token` for administrators only."""
    channel = record.channel
    keys: dict[str, Any] = {
        key: channel[key]
        for key in ("widget_color", "website_url", "hmac_mandatory", "welcome_title", "welcome_tagline")
    }
    keys["web_widget_script"] = channel["web_widget_script"]
    keys["website_token"] = channel["website_token"]
    keys["selected_feature_flags"] = channel["selected_feature_flags"]
    keys["reply_time"] = channel["reply_time"]
    if admin:
        keys["hmac_token"] = channel["hmac_token"]
    for key in ("pre_chat_form_enabled", "pre_chat_form_options", "continuity_via_email"):
        keys[key] = channel[key]
    return keys


def inbox_record(record: Inbox, created_at: float) -> dict[str, Any]:
    """`json.inbox @contact_inbox.inbox`: the model's columns as `as_json` writes them, not the inbox view."""
    moment = iso(created_at)
    settings = record.settings
    return {
        "id": record.id,
        "channel_id": record.channel_id,
        "account_id": record.account_id,
        "name": record.name,
        "created_at": moment,
        "updated_at": moment,
        "channel_type": record.channel_type,
        "enable_auto_assignment": settings["enable_auto_assignment"],
        "greeting_enabled": settings["greeting_enabled"],
        "greeting_message": settings["greeting_message"],
        "email_address": None,
        "working_hours_enabled": settings["working_hours_enabled"],
        "out_of_office_message": settings["out_of_office_message"],
        "timezone": settings["timezone"],
        "enable_email_collect": settings["enable_email_collect"],
        "csat_survey_enabled": settings["csat_survey_enabled"],
        "allow_messages_after_resolved": settings["allow_messages_after_resolved"],
        "auto_assignment_config": settings["auto_assignment_config"],
        "lock_to_single_conversation": settings["lock_to_single_conversation"],
        "portal_id": settings["portal_id"],
        "sender_name_type": settings["sender_name_type"],
        "business_name": settings["business_name"],
        "active": settings["active"],
    }


def inbox_slim(record: Inbox) -> dict[str, Any]:
    """The inbox inside a contact's `contact_inboxes`: no secrets, no channel settings (`provider` is the
    channel's, none for an API inbox)."""
    return {
        "id": record.id,
        "avatar_url": record.avatar_url,
        "channel_id": record.channel_id,
        "name": record.name,
        "channel_type": record.channel_type,
        "provider": None,
    }
