"""The offline responder used without OPENAI_API_KEY: greeting, FAQ keywords, handoff when a person is asked for."""

from __future__ import annotations

import re

from bot import texts
from bot.brain.base import BotContext, Outcome
from bot.brain.faq import FaqEntry, best_answer, contains_phrase, normalize
from bot.brain.prompt import last_customer_text

# Matched whole-word on accent-free, lower-case text ("pessoal" does not ask for a person).
HANDOFF_PHRASES: tuple[str, ...] = (
    "humano",
    "humana",
    "atendente",
    "pessoa",
    "operador",
    "operadora",
    "gerente",
    "falar com alguem",
)
GREETING_PHRASES: tuple[str, ...] = (
    "oi",
    "oie",
    "ola",
    "opa",
    "alo",
    "bom dia",
    "boa tarde",
    "boa noite",
    "e ai",
    "hello",
    "hi",
    "hey",
    "tudo bem",
    "tudo bom",
)
_FILLER = re.compile(r"\b(tudo|bem|bom|td|blz|beleza|como|vai|voce|vc|pessoal|gente|ai)\b")


class RulesResponder:
    """A deterministic responder, so the bot runs (and hands off) with no model at all."""

    name = "rules"

    def __init__(self, *, faq: tuple[FaqEntry, ...] = ()) -> None:
        self.faq = faq

    def __repr__(self) -> str:
        return f"RulesResponder(faq_entries={len(self.faq)})"

    async def aclose(self) -> None:
        """Nothing to release; here so the runner can close any responder the same way."""

    async def __aenter__(self) -> RulesResponder:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def respond(self, ctx: BotContext) -> Outcome:
        return self.decide(ctx)

    def decide(self, ctx: BotContext) -> Outcome:
        asked = last_customer_text(ctx)
        normalized = normalize(asked)
        if any(contains_phrase(normalized, phrase) for phrase in HANDOFF_PHRASES):
            return Outcome(
                handoff_reason=texts.CUSTOMER_ASKED_HUMAN_REASON,
                summary=texts.LAST_CUSTOMER_MESSAGE.format(text=_one_line(asked)),
            )
        entry = best_answer(self.faq, asked)
        if entry is not None:
            return Outcome(reply=entry.answer)
        if not normalized or _is_greeting(normalized):
            name = f", {ctx.customer_name.split()[0]}" if ctx.customer_name and ctx.customer_name.split() else ""
            return Outcome(reply=texts.RULES_GREETING.format(name=name, bot_name=ctx.bot_name))
        if _last_bot_reply(ctx) == texts.RULES_FALLBACK:
            return Outcome(
                handoff_reason=texts.NOT_UNDERSTOOD_REASON,
                summary=texts.LAST_CUSTOMER_MESSAGE.format(text=_one_line(asked)),
            )
        return Outcome(reply=texts.RULES_FALLBACK)


def _is_greeting(normalized: str) -> bool:
    """A message that is a greeting and little else ("oi, tudo bem?"), not a question that starts with one."""
    rest = normalized
    found = False
    for phrase in GREETING_PHRASES:
        if contains_phrase(rest, phrase):
            found = True
            rest = re.sub(rf"(?<!\w){re.escape(phrase)}(?!\w)", " ", rest)
    rest = _FILLER.sub(" ", rest)
    return found and len(rest.split()) <= 1


def _last_bot_reply(ctx: BotContext) -> str | None:
    for turn in reversed(ctx.history):
        if turn.role == "bot":
            return turn.content
        if turn.role in ("agent", "event"):
            return None
    return None


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
