"""`POST …/channels/twilio_channel` (Api::V1::Accounts::Channels::TwilioChannelsController#create, administrators):
a Twilio SMS or WhatsApp inbox. The sandbox reaches no Twilio: credentials are not checked and no webhook is
registered."""

from __future__ import annotations

import secrets

from . import render
from .errors import unprocessable
from .inbox_settings import default_settings
from .parsing import present
from .routing import ACCOUNT, Ctx, Reply, Router
from .state import Inbox
from .twilio_channel import MEDIUMS, TWILIO


def _failed(message: str) -> None:
    """`render_could_not_create_error`: every StandardError of the create is a 422 `{"error": message}`."""
    raise unprocessable(message)


async def create(ctx: Ctx) -> Reply:
    ctx.require_admin()
    given = ctx.params.get("twilio_channel")
    if not isinstance(given, dict) or not given:
        _failed("param is missing or the value is empty: twilio_channel")
    medium = str(given.get("medium") or "sms")
    if medium not in MEDIUMS:
        _failed(f"'{medium}' is not a valid medium")
    phone = given.get("phone_number")
    phone = (phone if medium == "sms" else f"whatsapp:{phone}") if present(phone) else None
    missing = [
        label for key, label in (("account_sid", "Account sid"), ("name", "Name")) if not present(given.get(key))
    ]
    if not present(given.get("auth_token")) and not present(given.get("api_key_sid")):
        missing.append("Auth token")
    if missing:
        _failed("Validation failed: " + ", ".join(f"{label} can't be blank" for label in missing))
    if phone is None and not present(given.get("messaging_service_sid")):
        _failed("Validation failed: Phone number and messaging service sid can't both be blank")
    store = ctx.store
    if phone and any(
        i.channel_type == TWILIO and i.channel.get("phone_number") == phone for i in store.inboxes.values()
    ):
        _failed("Validation failed: Phone number has already been taken")
    same_kind = [i.channel_id for i in store.inboxes.values() if i.channel_type == TWILIO]
    inbox = Inbox(
        id=store.next_id("inbox"),
        account_id=ctx.account_id,
        channel_id=store.next_id(f"channel:{TWILIO}", max(same_kind, default=0) + 1),
        name=str(given["name"]),
        inbox_identifier="",
        secret=secrets.token_urlsafe(18),
        hmac_token=secrets.token_urlsafe(18),
        member_ids=set(),
        channel_type=TWILIO,
        settings={**default_settings(), "timezone": "UTC"},
        channel={
            "account_sid": given["account_sid"],
            "auth_token": given.get("auth_token"),
            "api_key_sid": given.get("api_key_sid"),
            "messaging_service_sid": given.get("messaging_service_sid"),
            "phone_number": phone,
            "medium": medium,
        },
        created_at=store.now(),
    )
    store.inboxes[inbox.id] = inbox
    return 200, render.inbox(store, inbox, admin=True)


def register(router: Router) -> None:
    router.add("POST", ACCOUNT + r"/channels/twilio_channel", create, "channels/twilio_channels", "create")
