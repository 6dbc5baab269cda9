"""MessageTemplates::HookExecutionService: the template messages Chatwoot adds after a contact's message (Message's
after_create_commit `execute_message_template_hooks`): out of office, the greeting and the e-mail collect pair."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from . import liquid_content, request_locale
from .errors import ApiError
from .inbox_settings import WEB_WIDGET
from .state import INCOMING, OUTGOING, TEMPLATE, Conversation, Inbox, Message

if TYPE_CHECKING:
    from .domain import Engine

TWITTER = "Channel::TwitterProfile"
RECENT_REPLY_SECONDS = 5 * 60  # an agent's reply within five minutes holds back the out-of-office message

# conversations.templates.* in config/locales/<locale>.yml; other locales fall back to English, as I18n does
TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "ways_to_reach_you_message_body": "Give the team a way to reach you.",
        "email_input_box_message_body": "Get notified by email",
    },
    "pt_BR": {
        "ways_to_reach_you_message_body": "Informe à equipe uma forma de contatá-lo.",
        "email_input_box_message_body": "Seja notificado por e-mail",
    },
}


def text(locale: str, key: str) -> str:
    return TEXTS.get(locale, TEXTS["en"])[key]


def run(engine: Engine, conv: Conversation, message: Message) -> None:
    """HookExecutionService#perform for a message just created. Each template is created through the engine with
    its own callbacks (and its own `message_created`), and each check sees the templates made before it, as the
    service's `trigger_templates` runs them one after another."""
    if message.message_type != INCOMING:
        return  # each template's check asks for an incoming message: agents', bots' and templates' own end here
    store = engine.store
    email = message.content_attributes.get("email")
    if isinstance(email, dict) and email.get("auto_reply") is True:
        return  # Message#auto_reply_email?
    if conv.campaign_id is not None:
        return  # `conversation.campaign.present?` holds back each of the three templates
    inbox = store.inboxes[conv.inbox_id]
    if _should_send_out_of_office(engine, conv, inbox, message):
        _create(engine, conv, inbox.settings["out_of_office_message"])
    if _should_send_greeting(conv, inbox, message):
        _create(engine, conv, inbox.settings["greeting_message"])
    if inbox.settings["enable_email_collect"] and _should_send_email_collect(engine, conv, inbox, message):
        locale = request_locale.current()  # Template::EmailCollect's I18n.t runs in the request's locale
        _create(engine, conv, text(locale, "ways_to_reach_you_message_body"), liquid=False)
        _create(engine, conv, text(locale, "email_input_box_message_body"), "input_email", liquid=False)


def _create(
    engine: Engine, conv: Conversation, content: str, content_type: str = "text", *, liquid: bool = True
) -> None:
    """`conversation.messages.create!(message_type: :template, ...)`: no sender; Liquidable renders the
    inbox's own texts."""
    if liquid:
        content = liquid_content.render(engine.store, conv, None, content)
    try:
        engine.create_message(conv, content=content, message_type=TEMPLATE, sender=None, content_type=content_type)
    except ApiError:
        pass  # each template rescues StandardError (the flood limit here): the contact's message stands


def _tweet(inbox: Inbox, conv: Conversation) -> bool:
    """Conversation#tweet?"""
    return inbox.channel_type == TWITTER and conv.additional_attributes.get("type") == "tweet"


def _should_send_out_of_office(engine: Engine, conv: Conversation, inbox: Inbox, message: Message) -> bool:
    if _tweet(inbox, conv) or message.message_type != INCOMING:
        return False
    now = engine.clock.now()
    if any(
        m.message_type == OUTGOING and not m.private and m.created_at > now - RECENT_REPLY_SECONDS
        for m in conv.messages
    ):
        return False
    today = datetime.fromtimestamp(now, UTC).date()  # Message.today in Time.zone (UTC)
    templates_today = any(
        m.message_type == TEMPLATE and datetime.fromtimestamp(m.created_at, UTC).date() == today for m in conv.messages
    )
    return _out_of_office(inbox.settings, now) and not templates_today and bool(inbox.settings["out_of_office_message"])


def _out_of_office(settings: dict[str, Any], now: float) -> bool:
    """OutOfOffisable#out_of_office?: working hours on and today's row (WorkingHour.today: the weekday of
    Date.current, UTC) closed at the inbox's local time; an open-all-day row runs 00:00 to 23:59, both ends
    included (`time.between?`)."""
    if not settings["working_hours_enabled"]:
        return False
    weekday = (datetime.fromtimestamp(now, UTC).weekday() + 1) % 7  # Ruby's wday: Sunday is 0
    row = next((d for d in settings["working_hours"] if d["day_of_week"] == weekday), None)
    if row is None or row["closed_all_day"]:
        return row is not None
    local = datetime.fromtimestamp(now, ZoneInfo(settings["timezone"] or "UTC"))
    if row.get("open_all_day"):
        opening, closing = (0, 0), (23, 59)
    else:
        opening = (row["open_hour"] or 0, row["open_minutes"] or 0)
        closing = (row["close_hour"] or 0, row["close_minutes"] or 0)
    minutes = local.hour * 60 + local.minute + local.second / 60
    return not opening[0] * 60 + opening[1] <= minutes <= closing[0] * 60 + closing[1]


def _should_send_greeting(conv: Conversation, inbox: Inbox, message: Message) -> bool:
    """first_message_from_contact?: no outgoing message (private notes count) and no template yet."""
    if _tweet(inbox, conv) or message.message_type != INCOMING:
        return False
    first = not any(m.message_type in (OUTGOING, TEMPLATE) for m in conv.messages)
    return first and bool(inbox.settings["greeting_enabled"]) and bool(inbox.settings["greeting_message"])


def _should_send_email_collect(engine: Engine, conv: Conversation, inbox: Inbox, message: Message) -> bool:
    """A web widget's contact with no e-mail (Ruby's truthiness: an empty string is one), once per conversation."""
    if message.message_type != INCOMING:
        return False
    has_email = engine.store.contacts[conv.contact_id].email is not None
    sent = any(m.content_type == "input_email" for m in conv.messages)
    return not has_email and inbox.channel_type == WEB_WIDGET and not sent
