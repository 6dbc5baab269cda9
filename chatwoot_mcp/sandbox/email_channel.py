"""Channel::Email: its columns with the table's defaults, its editable attributes, and the `_inbox` jbuilder's email
keys (IMAP and SMTP settings for administrators only)."""

from __future__ import annotations

import secrets
from typing import Any

from .errors import record_invalid
from .parsing import present, to_bool, to_int
from .state import Inbox, Store

EMAIL = "Channel::Email"
IMAP_KEYS = ("imap_login", "imap_password", "imap_address", "imap_port", "imap_enabled", "imap_enable_ssl")
SMTP_KEYS = (
    "smtp_login",
    "smtp_password",
    "smtp_address",
    "smtp_port",
    "smtp_enabled",
    "smtp_domain",
    "smtp_enable_ssl_tls",
    "smtp_enable_starttls_auto",
    "smtp_openssl_verify_mode",
    "smtp_authentication",
)
# Channel::Email::EDITABLE_ATTRS
EDITABLE = ("email", *IMAP_KEYS, *SMTP_KEYS, "provider_config")
BOOLEAN_KEYS = frozenset({"imap_enabled", "imap_enable_ssl", "smtp_enabled", "smtp_enable_ssl_tls"})
INTEGER_KEYS = frozenset({"imap_port", "smtp_port"})
# the channel_email table's column defaults
DEFAULTS: dict[str, Any] = {
    "imap_login": "",
    "imap_password": "",
    "imap_address": "",
    "imap_port": 0,
    "imap_enabled": False,
    "imap_enable_ssl": True,
    "smtp_login": "",
    "smtp_password": "",
    "smtp_address": "",
    "smtp_port": 0,
    "smtp_enabled": False,
    "smtp_domain": "",
    "smtp_enable_ssl_tls": False,
    "smtp_enable_starttls_auto": True,
    "smtp_openssl_verify_mode": "none",
    "smtp_authentication": "login",
    "provider": None,
    "provider_config": {},
}
MAILER_DOMAIN = "sandbox.chatwoot.local"


def _cast(key: str, value: Any) -> Any:
    """ActiveRecord's casts of the boolean and integer columns."""
    if key in BOOLEAN_KEYS or key == "smtp_enable_starttls_auto":
        return to_bool(value)
    if key in INTEGER_KEYS:
        number = to_int(value)
        return number if number is not None else 0
    return value


def changes(params: dict[str, Any]) -> dict[str, Any]:
    """The permitted channel attributes of a create or update, cast as the columns store them."""
    channel = params.get("channel")
    if not isinstance(channel, dict):
        return {}
    return {key: _cast(key, channel[key]) for key in EDITABLE if key in channel}


def validate(store: Store, record_id: int | None, channel: dict[str, Any]) -> None:
    """Channel::Email's `validates :email, uniqueness: true` (and the column is NOT NULL)."""
    email = channel.get("email")
    if not present(email):
        raise record_invalid(["Email can't be blank"], ["email"])
    for other in store.inboxes.values():
        if other.id != record_id and other.channel_type == EMAIL and other.channel.get("email") == email:
            raise record_invalid(["Email has already been taken"], ["email"])


def new_channel(params: dict[str, Any]) -> dict[str, Any]:
    """A new channel's columns; `forward_to_email` is `"#{SecureRandom.hex}@#{account.inbound_email_domain}"`."""
    return {**DEFAULTS, "forward_to_email": f"{secrets.token_hex(16)}@{MAILER_DOMAIN}", **changes(params)}


def email_keys(record: Inbox, *, admin: bool) -> dict[str, Any]:
    """The jbuilder's `if resource.email?` block, then `provider`."""
    channel = record.channel
    keys: dict[str, Any] = {"forward_to_email": channel["forward_to_email"], "email": channel["email"]}
    if admin:
        keys.update({key: channel[key] for key in (*IMAP_KEYS, *SMTP_KEYS)})
    keys["provider"] = channel["provider"]
    return keys
