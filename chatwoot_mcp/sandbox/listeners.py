"""Which webhooks an event reaches, as Chatwoot's AgentBotListener and WebhookListener decide, and when their
payloads are built: AgentBotListener runs in the SyncDispatcher, so the bot's payload is the records at the event;
WebhookListener (account webhooks and an API inbox's URL) runs in the AsyncDispatcher's EventDispatcherJob, so its
payload is the records once the request's work is done."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .state import AgentBot, ContactInbox, Conversation, Store, Webhook
from .webhooks import Built, Dispatcher

Builder = Callable[[], Built]

BOT_EVENTS = frozenset(
    {
        "message_created",
        "message_updated",
        "conversation_status_changed",
        "conversation_updated",
        "conversation_opened",
        "conversation_resolved",
        "webwidget_triggered",
    }
)
ACCOUNT_EVENTS = frozenset(
    {
        "conversation_created",
        "conversation_status_changed",
        "conversation_updated",
        "message_created",
        "message_updated",
        "webwidget_triggered",
        "conversation_typing_on",
        "conversation_typing_off",
        "contact_created",
        "contact_updated",
    }
)


def bots_for(store: Store, conv: Conversation) -> list[AgentBot]:
    """The conversation's assigned bot and its inbox's bot, each once, when they have a URL."""
    found: list[AgentBot] = []
    for bot_id in (conv.assignee_agent_bot_id, store.inboxes[conv.inbox_id].agent_bot_id):
        bot = store.bots.get(bot_id) if bot_id is not None else None
        if bot is not None and bot.outgoing_url and bot not in found:
            found.append(bot)
    return found


def account_hooks(store: Store, account_id: int, event: str) -> list[Webhook]:
    """WebhookListener's account webhooks: the account's, subscribed to the event."""
    return [h for h in store.webhooks.values() if h.account_id == account_id and event in h.subscriptions]


def emit(
    store: Store,
    dispatcher: Dispatcher,
    event: str,
    conv: Conversation,
    build: Builder,
    message_id: int | None = None,
) -> None:
    def submit(kind: str, url: str, secret: str | None, payload: Any) -> None:
        dispatcher.submit(
            kind=kind,
            url=url,
            secret=secret,
            event=event,
            payload=payload,
            conversation_id=conv.id,
            display_id=conv.display_id,
            message_id=message_id,
        )

    if event in BOT_EVENTS:
        bots = bots_for(store, conv)
        payload = build() if bots else None
        for bot in bots:
            assert bot.outgoing_url is not None
            submit("agent_bot", bot.outgoing_url, bot.secret, payload)
    if event in ACCOUNT_EVENTS:
        for hook in account_hooks(store, conv.account_id, event):
            submit("account", hook.url, hook.secret, build)
        inbox = store.inboxes[conv.inbox_id]
        if inbox.webhook_url:
            submit("api_inbox", inbox.webhook_url, inbox.secret, build)


def emit_account_only(store: Store, dispatcher: Dispatcher, event: str, account_id: int, build: Builder) -> None:
    """An event with no conversation (contacts): account webhooks only."""
    for hook in account_hooks(store, account_id, event):
        dispatcher.submit(
            kind="account",
            url=hook.url,
            secret=hook.secret,
            event=event,
            payload=build,
            conversation_id=None,
            display_id=None,
            message_id=None,
        )


def emit_contact_inbox(store: Store, dispatcher: Dispatcher, event: str, ci: ContactInbox, build: Builder) -> None:
    """`webwidget_triggered`: AgentBotListener posts to the inbox's bot (not a conversation's), WebhookListener to
    the account's subscribed webhooks and an API inbox's webhook URL."""
    inbox = store.inboxes[ci.inbox_id]
    targets: list[tuple[str, str, str | None, Any]] = []
    bot = store.inbox_bot(inbox)
    if bot is not None and bot.outgoing_url:
        targets.append(("agent_bot", bot.outgoing_url, bot.secret, build()))
    targets += [("account", h.url, h.secret, build) for h in account_hooks(store, inbox.account_id, event)]
    if inbox.webhook_url:
        targets.append(("api_inbox", inbox.webhook_url, inbox.secret, build))
    for kind, url, secret, payload in targets:
        dispatcher.submit(
            kind=kind,
            url=url,
            secret=secret,
            event=event,
            payload=payload,
            conversation_id=None,
            display_id=None,
            message_id=None,
        )
