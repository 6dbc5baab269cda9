"""CampaignsController#index, #create, #show and #destroy (administrators only, CampaignPolicy), and the campaign
partial `api/v1/models/_campaign.json.jbuilder`. The widget's `campaign.triggered` opens an ongoing campaign's
conversation (`widget_campaigns`); one-off campaigns are kept and listed, never sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import render_inboxes, render_people
from .campaign_records import Campaign
from .errors import not_found, record_invalid, unprocessable
from .line_sms_channels import SMS
from .parsing import present, to_bool, to_int
from .render_common import iso, to_i
from .routing import ACCOUNT, EMPTY, Ctx, Reply, Router
from .state import Inbox, Store
from .twilio_channel import TWILIO
from .whatsapp_channel import WHATSAPP

CAMPAIGNS = ACCOUNT + r"/campaigns"
PERMITTED = (
    "title",
    "description",
    "message",
    "enabled",
    "trigger_only_during_business_hours",
    "inbox_id",
    "sender_id",
    "scheduled_at",
    "audience",
    "trigger_rules",
    "template_params",
)
ONE_OFF_TYPES = ("Twilio SMS", "Sms", "Whatsapp")


def inbox_type(inbox: Inbox) -> str:
    """`Inbox#inbox_type`, the channel's `name` (a Twilio inbox is 'Twilio SMS' only on the sms medium)."""
    if inbox.channel_type == TWILIO:
        return "Twilio SMS" if inbox.channel.get("medium") == "sms" else "Whatsapp"
    names = {"Channel::WebWidget": "Website", SMS: "Sms", WHATSAPP: "Whatsapp", "Channel::Api": "API"}
    return names.get(inbox.channel_type, inbox.channel_type.removeprefix("Channel::"))


def campaign(store: Store, record: Campaign) -> dict[str, Any]:
    inbox = store.inboxes[record.inbox_id]
    sender = store.users.get(record.sender_id) if record.sender_id is not None else None
    body: dict[str, Any] = {
        "id": record.display_id,
        "title": record.title,
        "description": record.description,
        "account_id": record.account_id,
        "inbox": render_inboxes.inbox(store, inbox, admin=True),
        "sender": render_people.agent(sender, record.account_id) if sender is not None else {},
        "message": record.message,
        "campaign_status": record.campaign_status,
        "enabled": record.enabled,
        "campaign_type": record.campaign_type,
    }
    if record.campaign_type == "one_off":
        body["scheduled_at"] = to_i(record.scheduled_at)
        body["audience"] = record.audience
    body.update(
        {
            "trigger_rules": record.trigger_rules,
            "trigger_only_during_business_hours": record.trigger_only_during_business_hours,
            "created_at": iso(record.created_at),
            "updated_at": iso(record.created_at),
        }
    )
    return body


def _fields(ctx: Ctx) -> dict[str, Any]:
    """`params.require(:campaign).permit(...)`; ParamsWrapper wraps a flat JSON body's attributes as `campaign`."""
    fields = ctx.params.get("campaign")
    if not isinstance(fields, dict):
        fields = {key: ctx.params[key] for key in PERMITTED if key in ctx.params}
    if not fields:
        raise unprocessable("param is missing or the value is empty: campaign")
    return {key: fields[key] for key in PERMITTED if key in fields}


def _time(value: Any) -> float | None:
    """ActiveRecord's datetime cast: an ISO 8601 string, anything else is nil."""
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp() if present(value) else None
    except ValueError:
        return None


def _errors(store: Store, record: Campaign, inbox: Inbox | None) -> tuple[list[str], list[str]]:
    """Campaign's validations in declaration order (the belongs_to's `must exist` comes after the validates)."""
    found: list[tuple[str, str]] = []
    if inbox is None:
        found.append(("inbox_id", "Inbox can't be blank"))
    if not record.title:
        found.append(("title", "Title can't be blank"))
    if not record.message:
        found.append(("message", "Message can't be blank"))
    if inbox is not None and inbox_type(inbox) not in ("Website", *ONE_OFF_TYPES):
        found.append(("inbox", "Inbox Unsupported Inbox type"))
    url = record.trigger_rules.get("url")
    if (
        inbox is not None
        and url
        and inbox_type(inbox) == "Website"
        and not str(url).startswith(("http://", "https://"))
    ):
        found.append(("url", "Url invalid"))
    sender = store.users.get(record.sender_id) if record.sender_id is not None else None
    if sender is not None and record.account_id not in sender.account_ids:
        found.append(("sender_id", "Sender must belong to the same account as the campaign"))
    if inbox is not None and inbox.account_id != record.account_id:
        found.append(("inbox_id", "Inbox must belong to the same account as the campaign"))
    if inbox is None:
        found.append(("inbox", "Inbox must exist"))
    return [message for _, message in found], list(dict.fromkeys(attribute for attribute, _ in found))


async def create(ctx: Ctx) -> Reply:
    """`Current.account.campaigns.create!`: the inbox's type sets the campaign type (one_off, scheduled now unless
    given, on SMS and WhatsApp inboxes; ongoing, unscheduled, on a website)."""
    ctx.require_admin()
    fields = _fields(ctx)
    inbox_id = to_int(fields.get("inbox_id"))
    inbox = ctx.store.inboxes.get(inbox_id) if inbox_id is not None else None
    rules = fields.get("trigger_rules")
    audience = fields.get("audience")
    template = fields.get("template_params")
    record = Campaign(
        id=0,
        display_id=0,
        account_id=ctx.account_id,
        inbox_id=inbox.id if inbox is not None else 0,
        title=str(fields["title"]) if present(fields.get("title")) else "",
        message=str(fields["message"]) if present(fields.get("message")) else "",
        created_at=ctx.store.now(),
        description=None if fields.get("description") is None else str(fields["description"]),
        sender_id=to_int(fields.get("sender_id")),
        enabled=to_bool(fields["enabled"]) if "enabled" in fields else True,
        trigger_rules=rules if isinstance(rules, dict) else {},
        audience=audience if isinstance(audience, list) else [],
        trigger_only_during_business_hours=to_bool(fields.get("trigger_only_during_business_hours", False)),
        template_params=template if isinstance(template, dict) else None,
    )
    if inbox is not None and inbox_type(inbox) in ONE_OFF_TYPES:
        record.campaign_type = "one_off"
        record.scheduled_at = _time(fields.get("scheduled_at")) or record.created_at
    messages, attributes = _errors(ctx.store, record, inbox)
    if messages:
        raise record_invalid(messages, attributes)
    record.id = ctx.store.next_id("campaign")
    record.display_id = ctx.store.next_id(f"campaign_display_{ctx.account_id}")
    ctx.store.campaigns[record.id] = record
    return 200, campaign(ctx.store, record)


def account_campaigns(store: Store, account_id: int, inbox_id: int | None = None) -> list[Campaign]:
    return [
        c
        for c in store.campaigns.values()
        if c.account_id == account_id and (inbox_id is None or c.inbox_id == inbox_id)
    ]


async def index(ctx: Ctx) -> Reply:
    ctx.require_admin()
    return 200, [campaign(ctx.store, c) for c in account_campaigns(ctx.store, ctx.account_id)]


def _campaign(ctx: Ctx) -> Campaign:
    """`Current.account.campaigns.find_by(display_id: params[:id])`."""
    display_id = to_int(ctx.path.get("campaign_id"))
    found = next((c for c in account_campaigns(ctx.store, ctx.account_id) if c.display_id == display_id), None)
    if found is None:
        raise not_found()
    return found


async def show(ctx: Ctx) -> Reply:
    ctx.require_admin()
    return 200, campaign(ctx.store, _campaign(ctx))


async def destroy(ctx: Ctx) -> Reply:
    """`@campaign.destroy!`: its conversations stay, without the campaign (`dependent: :nullify`, no callbacks)."""
    ctx.require_admin()
    record = _campaign(ctx)
    for conv in ctx.store.conversations.values():
        if conv.campaign_id == record.id:
            conv.campaign_id = None
    del ctx.store.campaigns[record.id]
    return 200, EMPTY


def register(router: Router) -> None:
    router.add("GET", CAMPAIGNS, index, "campaigns", "index")
    router.add("POST", CAMPAIGNS, create, "campaigns", "create")
    router.add("GET", CAMPAIGNS + r"/(?P<campaign_id>[^/]+)", show, "campaigns", "show")
    router.add("DELETE", CAMPAIGNS + r"/(?P<campaign_id>[^/]+)", destroy, "campaigns", "destroy")
