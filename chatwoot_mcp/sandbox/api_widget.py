"""The web widget's API (`Api::V1::Widget::ConfigsController`, `EventsController`): a visitor's session token and
the events the widget reports, for web widget inboxes found by their website token."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import event_payloads, listeners, request_locale, widget_campaigns, widget_token
from .errors import ApiError, not_found
from .inbox_settings import WEB_WIDGET
from .parsing import present
from .request_locale import LANGUAGES
from .routing import EMPTY, Ctx, Reply, Router
from .state import Contact, ContactInbox, Conversation, Inbox

WIDGET = r"/api/v1/widget"
# GlobalConfig.get('LOGO_THUMBNAIL', 'BRAND_NAME', 'WIDGET_BRAND_URL') with installation_config.yml's defaults
GLOBAL_CONFIG = {
    "LOGO_THUMBNAIL": "/brand-assets/logo_thumbnail.svg",
    "BRAND_NAME": "Chatwoot",
    "WIDGET_BRAND_URL": "https://www.chatwoot.com",
}
INBOX_DISABLED = {"error": "inbox_disabled", "message": "This inbox is currently disabled"}
# What the `browser` gem reports for a user agent it does not recognise; the sandbox recognises none
UNKNOWN_BROWSER = {
    "browser_name": "Unknown Browser",
    "browser_version": "0.0",
    "device_name": "Unknown",
    "platform_name": "Unknown",
    "platform_version": "0",
}


def web_widget(ctx: Ctx) -> Inbox:
    """`Channel::WebWidget.find_by!(website_token:)`: RecordNotFound is the 404 every controller renders."""
    token = ctx.params.get("website_token")
    for inbox in ctx.store.inboxes.values():
        if inbox.channel_type == WEB_WIDGET and token and inbox.channel.get("website_token") == token:
            return inbox
    raise not_found()


def token_contact_inbox(ctx: Ctx, inbox: Inbox) -> ContactInbox | None:
    """The contact inbox named by the `X-Auth-Token`'s source id, within this widget's inbox."""
    claims = widget_token.decode(ctx.request.headers.get("x-auth-token"), ctx.engine.keys.secret_key_base)
    source_id = claims.get("source_id")
    return ctx.store.contact_inbox_by_source(inbox.id, str(source_id)) if source_id is not None else None


def ensure_inbox_active(inbox: Inbox) -> None:
    """BaseController#ensure_inbox_active: 403 with CustomExceptions::InboxDisabled's code and message while an
    administrator has the inbox disabled (`active` false)."""
    if not inbox.settings["active"]:
        raise ApiError(403, INBOX_DISABLED)


def visitor(ctx: Ctx, *, writes: bool = False) -> tuple[Inbox, ContactInbox, Contact]:
    """BaseController's `set_web_widget` then `set_contact`: 404 without the widget or without the token's contact.
    An action that `writes` checks `ensure_inbox_active` between the two, as the stored controllers order them."""
    inbox = web_widget(ctx)
    if writes:
        ensure_inbox_active(inbox)
    ci = token_contact_inbox(ctx, inbox)
    if ci is None:
        raise not_found()
    return inbox, ci, ctx.store.contacts[ci.contact_id]


def visitor_conversations(ctx: Ctx, inbox: Inbox, ci: ContactInbox) -> list[Conversation]:
    """BaseController#conversations, oldest first: the contact inbox's conversations; once the contact inbox is
    HMAC-verified, the contact's conversations on every verified contact inbox of this widget (an identified visitor
    sees the same history from each browser)."""
    if ci.hmac_verified:
        mine = (ctx.store.contact_inboxes[i] for i in ctx.store.contact_inbox_index.by_contact.get(ci.contact_id, ()))
        verified = {c.id for c in mine if c.inbox_id == inbox.id and c.hmac_verified}
    else:
        verified = {ci.id}
    ids = sorted(ctx.store.conversation_index.by_contact.get(ci.contact_id, ()))
    found = (ctx.store.conversations[i] for i in ids)
    return [c for c in found if c.contact_inbox_id in verified and c.inbox_id == inbox.id]


def current_conversation(ctx: Ctx, inbox: Inbox, ci: ContactInbox) -> Conversation | None:
    """BaseController#conversation: `conversations.last`, the newest by id."""
    found = visitor_conversations(ctx, inbox, ci)
    return found[-1] if found else None


def create_conversation(
    ctx: Ctx, inbox: Inbox, ci: ContactInbox, contact: Contact, message: dict[str, Any], custom: Any
) -> Conversation:
    """BaseController#create_conversation with #conversation_params: the visitor's new conversation on its contact
    inbox, whose additional attributes hold the browser's language and browser, the widget's `timestamp` and the page
    (`referer`, the column's spelling), and the custom attributes given (`{}` when none)."""
    additional = {
        "browser_language": _browser_language(ctx.request.headers.get("accept-language")),
        "browser": dict(UNKNOWN_BROWSER),
        "initiated_at": {"timestamp": message.get("timestamp")},
        "referer": message.get("referer_url"),
    }
    return ctx.engine.create_conversation(
        inbox_id=inbox.id,
        contact=contact,
        contact_inbox=ci,
        additional_attributes=additional,
        custom_attributes=custom if isinstance(custom, dict) and custom else {},
    )


def contact_name(ctx: Ctx, contact: Contact, email: str | None) -> str | None:
    """BaseController#contact_name: none for a contact already known by e-mail, phone number or identifier;
    otherwise the name given in `contact`, or the e-mail's local part (Ruby's `||` falls through on nil only)."""
    if present(contact.email) or present(contact.phone_number) or present(contact.identifier):
        return None
    given = ctx.params.get("contact")
    name = given.get("name") if isinstance(given, dict) else None
    if isinstance(name, str | int) and not isinstance(name, bool):
        return str(name)
    return email.split("@")[0] if email else None


def new_visitor(ctx: Ctx, inbox: Inbox) -> ContactInbox:
    """`web_widget.create_contact_inbox` (ContactInboxWithContactBuilder): an anonymous contact (`contact_created`)
    and its contact inbox with a fresh source id."""
    contact = ctx.engine.create_contact(inbox.account_id, name=None, email=None, phone_number=None, identifier=None)
    return ctx.engine.create_contact_inbox(contact, inbox.id)


def session_token(ctx: Ctx, inbox: Inbox, ci: ContactInbox) -> str:
    """The `X-Auth-Token` naming the contact inbox's source id and the inbox (Widget::TokenService)."""
    return widget_token.generate({"source_id": ci.source_id, "inbox_id": inbox.id}, ctx.engine.keys.secret_key_base)


def _utc_offset(zone: str) -> str:
    """`ActiveSupport::TimeZone[zone].now.formatted_offset`, e.g. `-03:00`."""
    try:
        offset = datetime.now(ZoneInfo(zone)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        offset = None
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _channel_config(ctx: Ctx, inbox: Inbox, token: str) -> dict[str, Any]:
    channel = inbox.channel
    settings = inbox.settings
    return {
        "allow_messages_after_resolved": settings["allow_messages_after_resolved"],
        "api_host": str(ctx.request.base_url).rstrip("/"),
        "auth_token": token,
        "avatar_url": inbox.avatar_url,
        "channel_avatar_url": "",
        "csat_survey_enabled": settings["csat_survey_enabled"],
        "disable_branding": False,
        "enabled_features": channel["selected_feature_flags"],
        "enabled_languages": [{"name": name, "iso_639_1_code": code} for name, code in LANGUAGES],
        "locale": request_locale.of_account(ctx.store.accounts[inbox.account_id].details),
        "out_of_office_message": settings["out_of_office_message"],
        "portal": None,
        "pre_chat_form_enabled": channel["pre_chat_form_enabled"],
        "pre_chat_form_options": channel["pre_chat_form_options"],
        "reply_time": channel["reply_time"],
        "timezone": settings["timezone"],
        "utc_off_set": _utc_offset(settings["timezone"]),
        "website_name": inbox.name,
        "website_token": channel["website_token"],
        "welcome_tagline": channel["welcome_tagline"],
        "welcome_title": channel["welcome_title"],
        "widget_color": channel["widget_color"],
        "working_hours": settings["working_hours"],
        "working_hours_enabled": settings["working_hours_enabled"],
        "account_id": inbox.account_id,
    }


async def config(ctx: Ctx) -> Reply:
    """ConfigsController#create: the token's contact inbox, or a new anonymous contact (ContactInboxWithContactBuilder,
    `contact_created`) with a fresh source id; the token names the source id and the inbox."""
    inbox = web_widget(ctx)
    ci = token_contact_inbox(ctx, inbox) or new_visitor(ctx, inbox)
    contact = ctx.store.contacts[ci.contact_id]
    token = session_token(ctx, inbox, ci)
    return 200, {
        "website_channel_config": _channel_config(ctx, inbox, token),
        "contact": {
            "email": contact.email,
            "id": contact.id,
            "identifier": contact.identifier,
            "name": contact.name,
            "phone_number": contact.phone_number,
            "pubsub_token": ci.pubsub_token,
        },
        "global_config": GLOBAL_CONFIG,
    }


def _browser_language(accept: str | None) -> str | None:
    """`browser.accept_language.first&.code`: the language part of the highest-quality entry, lower case."""
    entries = []
    for position, part in enumerate((accept or "").split(",")):
        tag, _, quality = part.strip().partition(";q=")
        if not tag or tag == "*":
            continue
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            weight = 0.0
        entries.append((-weight, position, tag.split("-")[0].split("_")[0].lower()))
    return min(entries)[2] if entries else None


async def event(ctx: Ctx) -> Reply:
    """EventsController#create: the event reaches the listeners with the contact inbox and `event_info` (the
    widget's, then the locale, browser language and browser): `webwidget.triggered` the bot's and the webhooks',
    `campaign.triggered` CampaignListener's (`widget_campaigns`); other names have none. 204 either way, as the
    campaign's conversation is built by a job after the answer."""
    inbox = web_widget(ctx)
    ci = token_contact_inbox(ctx, inbox)
    if ci is None:
        raise not_found()  # set_contact: RecordNotFound without the token's contact
    given = ctx.params.get("event_info")
    info = {
        **(given if isinstance(given, dict) else {}),
        "widget_language": ctx.params.get("locale"),
        "browser_language": _browser_language(ctx.request.headers.get("accept-language")),
        "browser": dict(UNKNOWN_BROWSER),
    }
    if ctx.params.get("name") == "webwidget.triggered":
        build = event_payloads.contact_inbox(ctx.store, ci, event="webwidget_triggered", event_info=info)
        listeners.emit_contact_inbox(ctx.store, ctx.engine.dispatcher, "webwidget_triggered", ci, build)
    elif ctx.params.get("name") == "campaign.triggered":
        widget_campaigns.triggered(ctx.engine, ci, info)
    return 204, EMPTY


def register(router: Router) -> None:
    router.add("POST", WIDGET + r"/config", config, "widget/configs", "create", scope="public")
    router.add("POST", WIDGET + r"/events", event, "widget/events", "create", scope="public")
