"""What a contact does to its own conversation, the same through the public API (`Public::Api::V1::Inboxes::
ConversationsController`) and the web widget (`Api::V1::Widget::ConversationsController`): seen, typing, resolved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .render_contacts import contact_webhook

if TYPE_CHECKING:
    from .domain import Engine
    from .state import Conversation

TYPING_EVENTS = {"on": "conversation_typing_on", "off": "conversation_typing_off"}
# conversations.activity.status.contact_resolved (config/locales/en.yml)
CONTACT_RESOLVED_TEXT = "Conversation was resolved by {name}"


def mark_seen(engine: Engine, conv: Conversation) -> None:
    """`contact_last_seen_at = now` and a save: updated_at moves, no tracked key changes, so no event."""
    now = engine.clock.now()
    conv.contact_last_seen_at = now
    conv.updated_at = max(now, conv.updated_at + 0.001)


def typing(engine: Engine, conv: Conversation, typing_status: object) -> None:
    """`conversation_typing_on`/`_off` with the contact as the user (its `webhook_data`); another status does
    nothing."""
    event = TYPING_EVENTS.get(str(typing_status))
    if event is not None:
        user = contact_webhook(engine.store, engine.store.contacts[conv.contact_id])
        engine.typing_event(event, conv, user, False)


def resolve(engine: Engine, conv: Conversation) -> None:
    """The contact ends the conversation: resolved (a resolved one is left as it is), with the activity naming the
    contact (`Current.contact`) as Ruby's `capitalize` writes the name."""
    if conv.status == "resolved":
        return
    engine.set_status(conv, "resolved", None)
    name = engine.store.contacts[conv.contact_id].name or ""
    engine.add_activity(conv, CONTACT_RESOLVED_TEXT.format(name=f"{name[:1].upper()}{name[1:].lower()}"))
