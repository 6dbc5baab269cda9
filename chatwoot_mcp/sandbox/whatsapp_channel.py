"""Channel::Whatsapp made through POST /inboxes: its columns, editable attributes and the `_inbox` jbuilder's
WhatsApp keys (`provider_config` for administrators only, `reauthorization_required`). A new channel's provider
config is not validated against Meta and no templates are fetched; only the health check reaches Meta."""

from __future__ import annotations

from typing import Any

from .errors import record_invalid
from .parsing import present
from .reauthorizable import reauthorization_required
from .state import Inbox, Store

WHATSAPP = "Channel::Whatsapp"
PROVIDERS = ("default", "whatsapp_cloud")  # Channel::Whatsapp::PROVIDERS (360dialog is `default`)
EDITABLE = ("phone_number", "provider", "provider_config")  # Channel::Whatsapp::EDITABLE_ATTRS


def changes(params: dict[str, Any]) -> dict[str, Any]:
    channel = params.get("channel")
    if not isinstance(channel, dict):
        return {}
    found = {key: channel[key] for key in EDITABLE if key in channel}
    if "provider_config" in found and not isinstance(found["provider_config"], dict):
        found["provider_config"] = {}
    return found


def validate(store: Store, record_id: int | None, channel: dict[str, Any]) -> None:
    """`validates :phone_number, presence: true, uniqueness: true` and the provider's inclusion."""
    phone = channel.get("phone_number")
    if not present(phone):
        raise record_invalid(["Phone number can't be blank"], ["phone_number"])
    if channel.get("provider") not in PROVIDERS:
        raise record_invalid(["Provider is not included in the list"], ["provider"])
    for other in store.inboxes.values():
        if other.id != record_id and other.channel_type == WHATSAPP and other.channel.get("phone_number") == phone:
            raise record_invalid(["Phone number has already been taken"], ["phone_number"])


def new_channel(params: dict[str, Any]) -> dict[str, Any]:
    return {"provider": "default", "provider_config": {}, "message_templates": {}, **changes(params)}


def whatsapp_keys(record: Inbox, *, admin: bool) -> dict[str, Any]:
    """`phone_number` (the jbuilder's Twilio line, which any channel with one fills), `provider`, then the
    `if resource.whatsapp?` block."""
    channel = record.channel
    keys: dict[str, Any] = {
        "phone_number": channel["phone_number"],
        "provider": channel["provider"],
        "message_templates": channel["message_templates"],
    }
    if admin:
        keys["provider_config"] = channel["provider_config"]
    # Only an embedded-signup channel is prompted: a manual one uses an API key, not OAuth (v4.18's jbuilder).
    embedded = (channel["provider_config"] or {}).get("source") == "embedded_signup"
    keys["reauthorization_required"] = embedded and reauthorization_required(channel)
    return keys
