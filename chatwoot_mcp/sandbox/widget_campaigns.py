"""The widget's `campaign.triggered` event: CampaignListener#campaign_triggered and
Campaigns::CampaignConversationBuilder, a visitor's conversation opened by an ongoing campaign's message."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import liquid_content
from .campaign_records import Campaign
from .parsing import present, to_int
from .state import OUTGOING, ContactInbox, Conversation

if TYPE_CHECKING:
    from .domain import Engine


def triggered(engine: Engine, ci: ContactInbox, event_info: dict[str, Any]) -> Conversation | None:
    """CampaignListener#campaign_triggered: nothing without a `campaign_id`; otherwise the builder, given the event's
    other keys as the conversation's additional attributes and its `custom_attributes` as the custom ones."""
    display_id = event_info.get("campaign_id")
    if not present(display_id):
        return None
    additional = {k: v for k, v in event_info.items() if k not in ("campaign_id", "custom_attributes")}
    return build(engine, ci, display_id, additional, event_info.get("custom_attributes"))


def build(
    engine: Engine, ci: ContactInbox, display_id: Any, additional: dict[str, Any], custom: Any
) -> Conversation | None:
    """CampaignConversationBuilder#perform: the inbox's campaign by display id (`find_by!`: the listener's job fails
    when there is none; the campaign's `enabled` is not checked here, the widget only triggers enabled ones); none
    once the contact inbox has a conversation. The conversation records the campaign, then the campaign's message is
    the sender's outgoing message through MessageBuilder (Liquid rendered, as Liquidable does)."""
    store = engine.store
    wanted = to_int(display_id)
    campaign = next(
        (c for c in store.campaigns.values() if c.inbox_id == ci.inbox_id and c.display_id == wanted),
        None,
    )
    if campaign is None or _has_conversation(engine, ci):
        return None
    contact = store.contacts[ci.contact_id]
    conv = engine.create_conversation(
        inbox_id=ci.inbox_id,
        contact=contact,
        contact_inbox=ci,
        additional_attributes=additional,
        custom_attributes=custom if isinstance(custom, dict) else {},  # `custom_attributes || {}`
        campaign=campaign,
    )
    sender = _sender(engine, campaign)
    content = liquid_content.render(store, conv, sender, campaign.message)
    engine.create_message(conv, content=content, message_type=OUTGOING, sender=sender)
    return conv


def _has_conversation(engine: Engine, ci: ContactInbox) -> bool:
    """`@contact_inbox.reload.conversations.present?`: any conversation on this contact inbox, whatever its status."""
    ids = engine.store.conversation_index.by_contact.get(ci.contact_id, ())
    return any(engine.store.conversations[i].contact_inbox_id == ci.id for i in ids)


def _sender(engine: Engine, campaign: Campaign) -> tuple[str, int] | None:
    """`@campaign.sender`: the user, or none (a sender since removed from the sandbox is none too)."""
    if campaign.sender_id is None or campaign.sender_id not in engine.store.users:
        return None
    return ("User", campaign.sender_id)
