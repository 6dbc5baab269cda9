"""Responders for tests: no LLM, each behaving one way on purpose."""

from __future__ import annotations

from bot.brain.base import BotContext, Outcome


class EchoResponder:
    """The simplest responder behind the brain's interface: repeats the customer's last words."""

    name = "echo"

    async def respond(self, ctx: BotContext) -> Outcome:
        last = next((turn.content for turn in reversed(ctx.history) if turn.role == "customer"), "")
        return Outcome(reply=f"Você disse: {last}" if last else "Olá! Como posso ajudar?")
