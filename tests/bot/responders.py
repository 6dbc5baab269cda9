"""Responders for tests: no LLM, each behaving one way on purpose."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import anyio

from bot.brain.base import BotContext, Outcome, Responder


class EchoResponder:
    """The simplest responder behind the brain's interface: repeats the customer's last words."""

    name = "echo"

    async def respond(self, ctx: BotContext) -> Outcome:
        last = next((turn.content for turn in reversed(ctx.history) if turn.role == "customer"), "")
        return Outcome(reply=f"Você disse: {last}" if last else "Olá! Como posso ajudar?")


class HandoffResponder:
    """Answers and hands off every time: a crash between the two must still end handed off."""

    name = "handoff"

    async def respond(self, ctx: BotContext) -> Outcome:
        return Outcome(reply="Vou te transferir para um atendente.", handoff_reason="teste de queda", summary=None)


class StuckResponder:
    """Touches `marker` and never answers, so a test can kill the bot while the responder runs."""

    name = "stuck"

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    async def respond(self, ctx: BotContext) -> Outcome:
        self.marker.touch()
        await anyio.sleep_forever()
        raise AssertionError("unreachable")


def responder_from(environ: Mapping[str, str]) -> Responder:
    """TEST_RESPONDER=echo|handoff|stuck (stuck touches TEST_MARKER) for a bot started by tests/bot/launcher.py."""
    choice = environ.get("TEST_RESPONDER", "echo")
    if choice == "handoff":
        return HandoffResponder()
    if choice == "stuck":
        return StuckResponder(Path(environ["TEST_MARKER"]))
    return EchoResponder()


class GatedResponder:
    """A slow responder: it answers only when the test lets it, so a human can step in meanwhile."""

    name = "gated"

    def __init__(self) -> None:
        self.called = anyio.Event()
        self.release = anyio.Event()

    async def respond(self, ctx: BotContext) -> Outcome:
        self.called.set()
        await self.release.wait()
        return Outcome(reply="Resposta que chegou tarde demais")
