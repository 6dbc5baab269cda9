"""Conversations::MessageWindowService: whether an agent may still reply, by the channel's messaging window."""

from __future__ import annotations

from .state import INCOMING, Conversation, Store
from .twilio_channel import TWILIO
from .whatsapp_channel import WHATSAPP

DAY = 24 * 3600.0  # MESSAGING_WINDOW_24_HOURS


def messaging_window(store: Store, conv: Conversation) -> float | None:
    """The window in seconds, None for channels without one. An API channel's comes from its
    `agent_reply_time_window`, which the sandbox's API channels never carry; Facebook, Instagram and TikTok have no
    sandbox inbox."""
    inbox = store.inboxes[conv.inbox_id]
    if inbox.channel_type == WHATSAPP:
        return DAY
    if inbox.channel_type == TWILIO and inbox.channel.get("medium") == "whatsapp":
        return DAY
    return None


def can_reply(store: Store, conv: Conversation) -> bool:
    """`Conversation#can_reply?`: no window, or the last incoming message is younger than it."""
    window = messaging_window(store, conv)
    if window is None:
        return True
    last = next((m for m in reversed(conv.messages) if m.message_type == INCOMING), None)
    return last is not None and store.now() < last.created_at + window
