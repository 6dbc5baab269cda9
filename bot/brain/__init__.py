"""The bot's brain: responders that turn a conversation's history into an Outcome (reply, handoff, notes)."""

from __future__ import annotations

from bot.brain.base import (
    BotContext,
    BrainError,
    Outcome,
    Responder,
    Turn,
    build_responder,
)

__all__ = ["BotContext", "BrainError", "Outcome", "Responder", "Turn", "build_responder"]
