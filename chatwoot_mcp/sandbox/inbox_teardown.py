"""DeleteObjectJob for an inbox: the records Chatwoot's `dependent:` options remove with it, each through its
store so the indexes (conversations, messages, contact inboxes) drop them too."""

from __future__ import annotations

from .state import Inbox, Store


def destroy_inbox(store: Store, inbox: Inbox) -> None:
    """Inbox#destroy: conversations (with their messages), contact inboxes, webhooks, reporting events,
    campaigns, members and the bot link go; the contacts stay."""
    doomed = [conv for conv in store.conversations.values() if conv.inbox_id == inbox.id]
    for conv in doomed:
        for message in conv.messages:
            store.messages.pop(message.id, None)
        store.display_index.pop((conv.account_id, conv.display_id), None)
        store.bot_handoffs.pop(conv.id, None)
        del store.conversations[conv.id]
    for ci_id in [ci.id for ci in store.contact_inboxes.values() if ci.inbox_id == inbox.id]:
        del store.contact_inboxes[ci_id]
    for hook_id in [hook.id for hook in store.webhooks.values() if hook.inbox_id == inbox.id]:
        del store.webhooks[hook_id]
    store.reporting_events[:] = [event for event in store.reporting_events if event.inbox_id != inbox.id]
    for campaign_id in [c.id for c in store.campaigns.values() if c.inbox_id == inbox.id]:
        del store.campaigns[campaign_id]
    del store.inboxes[inbox.id]
