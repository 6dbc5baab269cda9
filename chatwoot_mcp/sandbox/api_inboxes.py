"""Inboxes#create, #update, #destroy, #avatar and #campaigns (API, web widget, email and WhatsApp channels), as
`Api::V1::Accounts::InboxesController` answers them; #health and #sync_templates are in `api_inbox_health`."""

from __future__ import annotations

import re
import secrets
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from starlette.datastructures import UploadFile

from . import api_campaigns, email_channel, line_sms_channels, render, twilio_channel, twitter_channel, whatsapp_channel
from .api_account import fetch_inbox
from .email_channel import EMAIL
from .errors import record_invalid, server_error, unprocessable
from .inbox_settings import (
    API,
    DELETION_MESSAGE,
    NAME_FORMAT,
    OFFISABLE_ATTRS,
    WEB_WIDGET,
    web_widget_channel,
    web_widget_script,
)
from .inbox_teardown import destroy_inbox
from .parsing import present, to_bool, to_int
from .reauthorizable import reauthorized
from .routing import ACCOUNT, EMPTY, Ctx, Reply, Router
from .state import Inbox
from .twilio_channel import TWILIO
from .twitter_channel import TWITTER
from .whatsapp_channel import WHATSAPP

INBOX = ACCOUNT + r"/inboxes/(?P<inbox_id>[^/]+)"
BOOLEANS = (
    "greeting_enabled",
    "enable_email_collect",
    "csat_survey_enabled",
    "enable_auto_assignment",
    "working_hours_enabled",
    "allow_messages_after_resolved",
    "lock_to_single_conversation",
    "active",
)
STRINGS = ("greeting_message", "out_of_office_message", "timezone", "business_name")
# Channel::Api::EDITABLE_ATTRS and Channel::WebWidget::EDITABLE_ATTRS (plus `type` on create)
API_ATTRS = ("webhook_url", "hmac_mandatory")
WIDGET_ATTRS = (
    "website_url",
    "widget_color",
    "welcome_title",
    "welcome_tagline",
    "reply_time",
    "pre_chat_form_enabled",
    "pre_chat_form_options",
    "continuity_via_email",
    "hmac_mandatory",
    "selected_feature_flags",
)
CHANNEL_TYPES = {
    "api": API,
    "web_widget": WEB_WIDGET,
    "email": EMAIL,
    "whatsapp": WHATSAPP,
    "line": line_sms_channels.LINE,
    "sms": line_sms_channels.SMS,
}
NAME_RE = re.compile(r"^\b[^/\\<>@]*\b$", re.MULTILINE)
AVATAR_TYPES = ("image/jpeg", "image/png", "image/gif")


@cache
def _zones() -> frozenset[str]:
    """TZInfo's identifiers as the system's tz database knows them; empty (no check) on a system without one."""
    zones = available_timezones()
    return frozenset(zones) | {"UTC"} if zones else frozenset()


def _validate(name: Any, settings: dict[str, Any]) -> None:
    """Inbox's validations, as `save!` reports them (422 with the full messages and attribute names)."""
    messages: list[str] = []
    attributes: list[str] = []
    if not present(name):
        messages.append("Name can't be blank")
        attributes.append("name")
    elif not NAME_RE.search(str(name)):
        messages.append(NAME_FORMAT)
        attributes.append("name")
    if _zones() and settings["timezone"] not in _zones():
        messages.append("Timezone is not included in the list")
        attributes.append("timezone")
    limit = settings["auto_assignment_config"].get("max_assignment_limit")
    if limit is not None and (to_int(limit) is None or (to_int(limit) or 0) <= 0):
        messages.append("Auto assignment config max_assignment_limit must be greater than 0")
        attributes.append("auto_assignment_config")
    if messages:
        raise record_invalid(messages, attributes)


def _csat_config(config: Any) -> dict[str, Any]:
    """InboxesController#format_csat_config: the known keys with their defaults, `template` only if given."""
    config = config if isinstance(config, dict) else {}
    rules = config.get("survey_rules") if isinstance(config.get("survey_rules"), dict) else {}
    formatted: dict[str, Any] = {
        "display_type": config.get("display_type") or "emoji",
        "message": config.get("message") or "",
        "survey_rules": {"operator": rules.get("operator") or "contains", "values": rules.get("values") or []},
        "button_text": config.get("button_text") or "Please rate us",
        "language": config.get("language") or "en",
    }
    if present(config.get("template")):
        formatted["template"] = config["template"]
    return formatted


def _apply_settings(params: dict[str, Any], settings: dict[str, Any]) -> None:
    """The permitted inbox attributes present in `params`, cast as their columns cast them."""
    for key in BOOLEANS:
        if key in params:
            settings[key] = to_bool(params[key]) if params[key] is not None else None
    for key in STRINGS:
        if key in params:
            settings[key] = None if params[key] is None else str(params[key])
    if "sender_name_type" in params:
        value = params["sender_name_type"]
        if value not in ("friendly", "professional", 0, 1):
            raise unprocessable(f"'{value}' is not a valid sender_name_type")
        settings["sender_name_type"] = {0: "friendly", 1: "professional"}.get(value, value)
    if settings.get("active", True) is None:  # a NOT NULL column: Rails' NotNullViolation is a 500
        raise server_error()
    if present(params.get("csat_config")):
        settings["csat_config"] = _csat_config(params["csat_config"])
    if isinstance(params.get("auto_assignment_config"), dict):
        settings["auto_assignment_config"] = dict(params["auto_assignment_config"])
    if "portal_id" in params:
        if params["portal_id"] is not None:  # the sandbox has no help center portals: the foreign key fails
            raise record_invalid(["Portal must exist"], ["portal"])
        settings["portal_id"] = None


def _channel_params(params: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    channel = params.get("channel")
    if not isinstance(channel, dict):
        return {}
    return {key: channel[key] for key in allowed if key in channel}


def _avatar_url(ctx: Ctx, upload: Any) -> str:
    """An attached avatar's URL (ActiveStorage redirect); 422 for a file that is not an image."""
    if not isinstance(upload, UploadFile) or upload.content_type not in AVATAR_TYPES:
        raise record_invalid(["Avatar filetype not supported"], ["avatar"])
    token = secrets.token_urlsafe(24)
    name = re.sub(r"[^\w.-]", "_", upload.filename or "avatar")
    return f"{ctx.request.base_url}rails/active_storage/representations/redirect/{token}/{name}"


async def _form_params(ctx: Ctx) -> dict[str, Any]:
    """A form (multipart for the avatar upload, or urlencoded): its flat fields over the query params; Rack's nested
    keys (`channel[webhook_url]`) are not unfolded."""
    content_type = ctx.request.headers.get("content-type", "")
    if not content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        return ctx.params
    form = await ctx.request.form()
    return {**ctx.params, **dict(form.items())}


async def create(ctx: Ctx) -> Reply:
    ctx.require_admin()
    params = await _form_params(ctx)
    channel = params.get("channel") if isinstance(params.get("channel"), dict) else {}
    kind = channel.get("type")
    if kind not in CHANNEL_TYPES:  # create_channel returns nil for any other type the sandbox lacks
        raise record_invalid(["Channel must exist"], ["channel"])
    store = ctx.store
    channel_type = CHANNEL_TYPES[kind]
    if kind == "email":
        email_channel.validate(store, None, email_channel.new_channel(params))
    if kind == "whatsapp":
        whatsapp_channel.validate(store, None, whatsapp_channel.new_channel(params))
    base_url = str(ctx.request.base_url).rstrip("/")
    line_or_sms = {"line": line_sms_channels.new_line, "sms": line_sms_channels.new_sms}.get(str(kind))
    built = line_or_sms(store, params, base_url) if line_or_sms else None
    inbox_id = store.next_id("inbox")
    same_kind = [i.channel_id for i in store.inboxes.values() if i.channel_type == channel_type]
    inbox = Inbox(
        id=inbox_id,
        account_id=ctx.account_id,
        channel_id=store.next_id(f"channel:{channel_type}", max(same_kind, default=0) + 1),
        name=str(params.get("name") or ""),
        inbox_identifier=secrets.token_urlsafe(18) if kind == "api" else "",
        secret=secrets.token_urlsafe(18),
        hmac_token=secrets.token_urlsafe(18),
        member_ids=set(),
        channel_type=channel_type,
        created_at=store.now(),
    )
    inbox.settings["timezone"] = "UTC"  # the column's default
    _apply_settings(params, inbox.settings)
    if kind == "api":
        inbox.webhook_url = _channel_params(params, API_ATTRS).get("webhook_url") or None
    elif kind == "email":
        inbox.channel = email_channel.new_channel(params)
    elif kind == "whatsapp":
        inbox.channel = whatsapp_channel.new_channel(params)
    elif built is not None:
        inbox.channel = built
    else:
        inbox.channel = web_widget_channel(_channel_params(params, WIDGET_ATTRS))
        if not present(inbox.channel["website_url"]):
            raise record_invalid(["Website url can't be blank"], ["website_url"])
        inbox.channel["web_widget_script"] = web_widget_script(
            str(ctx.request.base_url).rstrip("/"), inbox.channel["website_token"]
        )
    _validate(params.get("name"), inbox.settings)
    if params.get("avatar") is not None:
        inbox.avatar_url = _avatar_url(ctx, params["avatar"])
    store.inboxes[inbox_id] = inbox
    return 200, render.inbox(store, inbox, admin=True)


def _update_working_hours(inbox: Inbox, hours: Any) -> None:
    """OutOfOffisable#update_working_hours: each day's row takes the given fields; `update` (not `update!`) drops
    a day whose values are invalid without an error."""
    if not isinstance(hours, list):
        return
    for given in hours:
        if not isinstance(given, dict):
            continue
        day = next(
            (d for d in inbox.settings["working_hours"] if d["day_of_week"] == to_int(given.get("day_of_week"))), None
        )
        if day is None:
            continue
        changed = dict(day)
        for key in OFFISABLE_ATTRS[1:] + ("open_all_day",):
            if key not in given:
                continue
            value = given[key]
            changed[key] = to_bool(value) if key in ("closed_all_day", "open_all_day") else to_int(value)
        if _valid_day(changed):
            day.update(changed)


def _valid_day(day: dict[str, Any]) -> bool:
    if day["closed_all_day"] or day["open_all_day"]:
        return True
    hours = (day["open_hour"], day["open_minutes"], day["close_hour"], day["close_minutes"])
    if any(v is None for v in hours):
        return False
    open_hour, open_minutes, close_hour, close_minutes = hours
    in_range = 0 <= open_hour <= 23 and 0 <= close_hour <= 23 and 0 <= open_minutes <= 59 and 0 <= close_minutes <= 59
    return in_range and (open_hour, open_minutes) < (close_hour, close_minutes)


async def update(ctx: Ctx) -> Reply:
    inbox = fetch_inbox(ctx)
    ctx.require_admin()
    params = await _form_params(ctx)
    settings = dict(inbox.settings)
    _apply_settings(params, settings)
    name = params["name"] if "name" in params else inbox.name
    _validate(name, settings)
    avatar = _avatar_url(ctx, params["avatar"]) if params.get("avatar") is not None else None
    if inbox.channel_type == WEB_WIDGET:
        changes = _channel_params(params, WIDGET_ATTRS)
        if "website_url" in changes and not present(changes["website_url"]):
            raise record_invalid(["Website url can't be blank"], ["website_url"])
        inbox.channel.update(changes)
    elif inbox.channel_type == EMAIL:
        updated = {**inbox.channel, **email_channel.changes(params)}
        email_channel.validate(ctx.store, inbox.id, updated)
        inbox.channel = updated
    elif inbox.channel_type == TWILIO:
        inbox.channel = {**inbox.channel, **twilio_channel.changes(params)}
    elif inbox.channel_type == TWITTER:
        inbox.channel = {**inbox.channel, **twitter_channel.changes(params)}
    elif inbox.channel_type == WHATSAPP:
        changes = whatsapp_channel.changes(params)
        updated = {**inbox.channel, **changes}
        whatsapp_channel.validate(ctx.store, inbox.id, updated)
        if changes:  # reauthorize_and_update_channel: new credentials end a reauthorization prompt
            reauthorized(updated)
        inbox.channel = updated
    elif "webhook_url" in _channel_params(params, API_ATTRS):
        inbox.webhook_url = _channel_params(params, API_ATTRS)["webhook_url"] or None
    inbox.name = str(name)
    inbox.settings = settings
    if avatar is not None:
        inbox.avatar_url = avatar
    if "working_hours" in params:
        _update_working_hours(inbox, params["working_hours"])
    return 200, render.inbox(ctx.store, inbox, admin=True)


async def destroy(ctx: Ctx) -> Reply:
    """DeleteObjectJob runs at once here: the inbox, its conversations and everything hanging off it go."""
    inbox = fetch_inbox(ctx)
    ctx.require_admin()
    destroy_inbox(ctx.store, inbox)
    return 200, {"message": DELETION_MESSAGE}


async def avatar(ctx: Ctx) -> Reply:
    inbox = fetch_inbox(ctx)
    ctx.require_admin()
    inbox.avatar_url = ""
    return 200, EMPTY


async def campaigns(ctx: Ctx) -> Reply:
    """`@inbox.campaigns`, each with the campaign partial."""
    inbox = fetch_inbox(ctx)
    ctx.require_admin()
    found = api_campaigns.account_campaigns(ctx.store, ctx.account_id, inbox.id)
    return 200, [api_campaigns.campaign(ctx.store, c) for c in found]


def register(router: Router) -> None:
    router.add("POST", ACCOUNT + r"/inboxes", create, "inboxes", "create")
    router.add("PATCH", INBOX, update, "inboxes", "update")
    router.add("PUT", INBOX, update, "inboxes", "update")
    router.add("DELETE", INBOX, destroy, "inboxes", "destroy")
    router.add("DELETE", INBOX + r"/avatar", avatar, "inboxes", "avatar")
    router.add("GET", INBOX + r"/campaigns", campaigns, "inboxes", "campaigns")
