"""Channel::Line and Channel::Sms (Bandwidth) made through POST /inboxes: their columns, validations and what the
`_inbox` jbuilder shows of them (`callback_webhook_url`, the SMS `phone_number` and `provider`). No provider is
reached."""

from __future__ import annotations

from typing import Any

from .errors import record_invalid
from .parsing import present
from .state import Inbox, Store

LINE, SMS = "Channel::Line", "Channel::Sms"
LINE_KEYS = ("line_channel_id", "line_channel_secret", "line_channel_token")
SMS_KEYS = ("phone_number", "provider_config")


def _given(params: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    channel = params.get("channel")
    return {key: channel[key] for key in keys if key in channel} if isinstance(channel, dict) else {}


def new_line(store: Store, params: dict[str, Any], base_url: str) -> dict[str, Any]:
    """Channel::Line: the three credentials present, `line_channel_id` unique; its callback is
    `#{FRONTEND_URL}/webhooks/line/#{line_channel_id}` (the sandbox's own address)."""
    channel = _given(params, LINE_KEYS)
    for key in LINE_KEYS:
        if not present(channel.get(key)):
            label = key.replace("_", " ").capitalize()
            raise record_invalid([f"{label} can't be blank"], [key])
    if any(
        i.channel_type == LINE and i.channel["line_channel_id"] == channel["line_channel_id"]
        for i in store.inboxes.values()
    ):
        raise record_invalid(["Line channel has already been taken"], ["line_channel_id"])
    return {**channel, "callback_webhook_url": f"{base_url}/webhooks/line/{channel['line_channel_id']}"}


def new_sms(store: Store, params: dict[str, Any], base_url: str) -> dict[str, Any]:
    """Channel::Sms: `phone_number` present and unique, provider `default` (Bandwidth); its callback is
    `#{FRONTEND_URL}/webhooks/sms/#{phone_number without +}`."""
    channel = {"provider": "default", "provider_config": {}, **_given(params, SMS_KEYS)}
    phone = channel.get("phone_number")
    if not present(phone):
        raise record_invalid(["Phone number can't be blank"], ["phone_number"])
    if any(i.channel_type == SMS and i.channel["phone_number"] == phone for i in store.inboxes.values()):
        raise record_invalid(["Phone number has already been taken"], ["phone_number"])
    return {**channel, "callback_webhook_url": f"{base_url}/webhooks/sms/{str(phone).removeprefix('+')}"}


def keys(record: Inbox) -> dict[str, Any]:
    """Inbox#callback_webhook_url and, for SMS, the channel's number and provider."""
    channel = record.channel
    found: dict[str, Any] = {"callback_webhook_url": channel["callback_webhook_url"]}
    if record.channel_type == SMS:
        found["phone_number"] = channel["phone_number"]
    found["provider"] = channel.get("provider")
    return found
