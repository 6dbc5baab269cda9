"""The brain's contract with the bot core: what a responder is given (BotContext) and returns (Outcome)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from bot.settings import BotSettings

Role = Literal["customer", "bot", "agent", "event"]


@dataclass(frozen=True)
class Turn:
    """One line of the conversation as the brain sees it; `event` is a note such as "the human stretch ended"."""

    role: Role
    content: str


@dataclass(frozen=True)
class BotContext:
    conversation_id: int
    customer_name: str | None
    history: tuple[Turn, ...]  # oldest first, already sanitised; ends with the customer turns to answer
    bot_name: str


@dataclass(frozen=True)
class Outcome:
    reply: str | None = None  # customer-visible text, [HANDOFF] marker already removed
    handoff_reason: str | None = None  # set: hand the conversation to a human
    summary: str | None = None  # for the agents' private note on handoff
    notes: tuple[str, ...] = ()  # private notes for agents


def outcome_to_json(outcome: Outcome) -> dict[str, Any]:
    """How the store keeps an Outcome, so a retry reuses the answer instead of asking the model again."""
    return {
        "reply": outcome.reply,
        "handoff_reason": outcome.handoff_reason,
        "summary": outcome.summary,
        "notes": list(outcome.notes),
    }


def outcome_from_json(data: dict[str, Any]) -> Outcome:
    return Outcome(
        reply=data.get("reply"),
        handoff_reason=data.get("handoff_reason"),
        summary=data.get("summary"),
        notes=tuple(str(note) for note in data.get("notes") or ()),
    )


@runtime_checkable
class Responder(Protocol):
    name: str

    async def respond(self, ctx: BotContext) -> Outcome:
        """Decide the bot's answer; raises (BrainError) on failure after the responder's own retries."""
        ...


class BrainError(Exception):
    """The responder could not produce an answer (model errors, timeouts, unusable output).

    The message never holds keys or customer text; the runner apologises and hands off.
    """


def build_responder(settings: BotSettings) -> Responder:
    """The OpenAI responder when an API key is set, the offline rules responder otherwise."""
    # Imported here: these modules import this one (and a rules-only bot never loads openai).
    from bot.brain.faq import load_faq
    from bot.brain.prompt import load_system_prompt
    from bot.brain.rules import RulesResponder

    cw = settings.chatwoot
    faq = load_faq(settings.faq_file)
    if cw.openai_api_key is None or not cw.openai_api_key.get_secret_value().strip():
        return RulesResponder(faq=faq)
    from bot.brain.openai_responder import OpenAIResponder

    return OpenAIResponder(
        api_key=cw.openai_api_key.get_secret_value(),
        base_url=cw.openai_base_url or None,
        model=cw.openai_model,
        system_prompt=load_system_prompt(settings.system_prompt_file, faq=faq),
    )
