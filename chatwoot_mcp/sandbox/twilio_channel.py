"""Channel::TwilioSms: its editable attributes and the `_inbox` jbuilder's Twilio keys (`auth_token` and
`account_sid` for administrators only); created by `api_twilio_channels`."""

from __future__ import annotations

from typing import Any

from .state import Inbox

TWILIO = "Channel::TwilioSms"
EDITABLE = ("account_sid", "auth_token", "api_key_sid", "messaging_service_sid")
MEDIUMS = ("sms", "whatsapp")


def changes(params: dict[str, Any]) -> dict[str, Any]:
    channel = params.get("channel")
    return {key: channel[key] for key in EDITABLE if key in channel} if isinstance(channel, dict) else {}


def twilio_keys(record: Inbox, *, admin: bool) -> dict[str, Any]:
    channel = record.channel
    keys: dict[str, Any] = {
        "messaging_service_sid": channel["messaging_service_sid"],
        "phone_number": channel["phone_number"],
        "medium": channel["medium"],
    }
    if admin:
        keys["auth_token"] = channel["auth_token"]
        keys["account_sid"] = channel["account_sid"]
    keys["provider"] = None
    return keys
