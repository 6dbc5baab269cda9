"""Api::V1::Accounts::Concerns::InboxHealthManagement: `GET …/inboxes/:id/health`, `POST …/register_webhook` and
`POST …/sync_templates`. Health reads the provider (Meta's Graph API for a WhatsApp Cloud inbox, Twilio's API for
a Twilio SMS inbox) at the base URL the sandbox was given; without one the answer is a 502."""

from __future__ import annotations

from typing import Any

from . import twilio_health, whatsapp_health
from .api_account import fetch_inbox
from .errors import ApiError
from .inbox_settings import NO_HEALTH, NOT_WHATSAPP
from .routing import ACCOUNT, Ctx, Reply, Router
from .state import Inbox
from .twilio_channel import TWILIO
from .twilio_rest import RestError, TwilioClient
from .whatsapp_channel import WHATSAPP

INBOX = ACCOUNT + r"/inboxes/(?P<inbox_id>[^/]+)"
SYNC_STARTED = "Template sync initiated successfully"
REGISTERED = "Webhook registered successfully"
# What `rescue StandardError => e` turns into `{error: e.message}` (a 502 for an unreached provider passes by).
PROVIDER_FAILURES = (whatsapp_health.HealthError, RestError, twilio_health.NumberNotFound, ConnectionError)


def _whatsapp_cloud(inbox: Inbox) -> bool:
    return inbox.channel_type == WHATSAPP and inbox.channel.get("provider") == "whatsapp_cloud"


def _twilio_sms(inbox: Inbox) -> bool:
    return inbox.channel_type == TWILIO and inbox.channel.get("medium") == "sms"


def _validate_health_supported_channel(inbox: Inbox) -> None:
    if not (_whatsapp_cloud(inbox) or _twilio_sms(inbox)):
        raise ApiError(400, {"error": NO_HEALTH})


def _frontend_url(ctx: Ctx) -> str:
    """FRONTEND_URL: the sandbox's own address."""
    return str(ctx.request.base_url).rstrip("/")


async def health(ctx: Ctx) -> Reply:
    """Any user who may see the inbox (`check_authorization` is skipped); a provider's failure is a 422."""
    inbox = fetch_inbox(ctx)
    _validate_health_supported_channel(inbox)
    outside = ctx.store.outside
    data: dict[str, Any]
    try:
        if _whatsapp_cloud(inbox):
            data = await whatsapp_health.fetch_health_status(inbox.channel, outside.meta_graph_url, _frontend_url(ctx))
        else:
            client = TwilioClient.for_channel(inbox.channel, outside)
            data = await twilio_health.health(inbox.channel, client, _frontend_url(ctx))
    except PROVIDER_FAILURES as exc:
        raise ApiError(422, {"error": str(exc)}) from None
    return 200, data


async def register_webhook(ctx: Ctx) -> Reply:
    """Administrators (`check_admin_authorization?`). A Twilio SMS inbox's number or messaging service is pointed at
    `/twilio/callback`; a WhatsApp Cloud inbox's callback is not registered with Meta by the sandbox (502)."""
    inbox = fetch_inbox(ctx)
    ctx.require_admin()
    _validate_health_supported_channel(inbox)
    if _whatsapp_cloud(inbox):
        raise ApiError(502, {"error": "The sandbox does not register a WhatsApp Cloud inbox's callback with Meta"})
    try:
        client = TwilioClient.for_channel(inbox.channel, ctx.store.outside)
        await twilio_health.register_webhook(inbox.channel, client, _frontend_url(ctx))
    except PROVIDER_FAILURES as exc:
        raise ApiError(422, {"error": str(exc)}) from None
    return 200, {"message": REGISTERED}


async def sync_templates(ctx: Ctx) -> Reply:
    """A WhatsApp inbox's (or a Twilio WhatsApp inbox's) TemplatesSyncJob is queued; the sandbox runs none, but a
    queue failure injected through `/_sandbox/faults` is a 500 with its message."""
    inbox = fetch_inbox(ctx)
    ctx.require_admin()
    if inbox.channel_type == WHATSAPP:
        job = "Channels::Whatsapp::TemplatesSyncJob"
    elif inbox.channel_type == TWILIO and inbox.channel.get("medium") == "whatsapp":
        job = "Channels::Twilio::TemplatesSyncJob"
    else:
        raise ApiError(422, {"error": NOT_WHATSAPP})
    try:
        ctx.store.outside.enqueue(job)
    except RuntimeError as exc:
        raise ApiError(500, {"error": str(exc)}) from None
    return 200, {"message": SYNC_STARTED}


def register(router: Router) -> None:
    router.add("GET", INBOX + r"/health", health, "inboxes", "health")
    router.add("POST", INBOX + r"/register_webhook", register_webhook, "inboxes", "register_webhook")
    router.add("POST", INBOX + r"/sync_templates", sync_templates, "inboxes", "sync_templates")
