"""`chatwoot-bot`: read the environment, set up JSON logs on stderr, and serve the sidecar with uvicorn."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import anyio
import uvicorn
from starlette.applications import Starlette

from bot import texts
from bot.app import create_app
from bot.brain.base import BotContext, Outcome, Responder, build_responder
from bot.events import JsonLinesHandler
from bot.records.commands import COMMANDS as RECORDS_COMMANDS, records_main
from bot.runner import EchoResponder, describe_error
from bot.settings import BotSettings, load_bot_settings
from bot.store import STORE_ERRORS, StoreLockedError
from chatwoot_mcp.config import ConfigError


class HandoffTestResponder:
    """Answers and hands off every time: a crash between the two must still end handed off."""

    name = "handoff"

    async def respond(self, ctx: BotContext) -> Outcome:
        return Outcome(reply="Vou te transferir para um atendente.", handoff_reason="teste de queda", summary=None)


class StuckTestResponder:
    """Touches BOT_TEST_MARKER and never answers, so a test can kill the bot while the responder runs."""

    name = "stuck"

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    async def respond(self, ctx: BotContext) -> Outcome:
        self.marker.touch()
        await anyio.sleep_forever()
        raise AssertionError("unreachable")


def pick_test_responder(choice: str, environ: Mapping[str, str]) -> Responder | None:
    """Honoured only with BOT_TESTING=1: lets the crash tests pick a responder without an LLM."""
    if choice == "echo":
        return EchoResponder()
    if choice == "handoff":
        return HandoffTestResponder()
    if choice == "stuck" and environ.get("BOT_TEST_MARKER"):
        return StuckTestResponder(Path(environ["BOT_TEST_MARKER"]))
    return None


def setup_logging(level: int = logging.INFO) -> None:
    # The JSON lines show none of these; looking them up is part of every record's cost.
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    JsonLinesHandler(sys.stderr.fileno()).install(level)
    # One line per HTTP call to Chatwoot would drown the bot's own events; failures still show.
    for noisy in ("httpx2", "httpx", "mcp"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def pick_responder(settings: BotSettings, environ: Mapping[str, str]) -> Responder:
    test_choice = environ.get("BOT_TEST_RESPONDER", "").strip()
    if test_choice and environ.get("BOT_TESTING", "") == "1":
        chosen = pick_test_responder(test_choice, environ)
        if chosen is not None:
            return chosen
    return build_responder(settings)


def describe_responder(responder: Responder, settings: BotSettings) -> str:
    if responder.name.startswith("openai"):
        return texts.RESPONDER_OPENAI_LOG.format(model=settings.chatwoot.openai_model)
    if responder.name.startswith("rules"):
        return texts.RESPONDER_RULES_LOG
    return f"Respondedor: {responder.name}."


def main(argv: Sequence[str] | None = None) -> int:
    if (given := list(sys.argv[1:] if argv is None else argv))[:1] and given[0] in RECORDS_COMMANDS:
        return records_main(given, os.environ)  # `chatwoot-bot mirror --backfill`, `chatwoot-bot stats`
    parser = argparse.ArgumentParser(prog="chatwoot-bot", description="Chatwoot webhook bot sidecar")
    parser.add_argument("--host", help="listen address (default BOT_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="listen port (default BOT_PORT or 8000)")
    args = parser.parse_args(argv)
    setup_logging()
    environ = dict(os.environ)
    try:
        settings = load_bot_settings(environ)
        settings.chatwoot.require_chatwoot()
    except ConfigError as exc:
        print(f"chatwoot-bot: {exc}", file=sys.stderr)
        return 2
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    if overrides:
        settings = settings.model_copy(update=overrides)
    responder = pick_responder(settings, environ)
    print(describe_responder(responder, settings), file=sys.stderr)
    if settings.chatwoot.webhook_secret is None:
        print(
            "WARNING: CHATWOOT_WEBHOOK_SECRET is not set: webhooks are NOT verified and anyone who can reach "
            f"{settings.host}:{settings.port} can make the bot talk. Set it to the AgentBot's secret.",
            file=sys.stderr,
        )
    app = create_app(settings, responder=responder, close_responder=True, freeze_heap=True)
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_config=None, access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
        return runner.run(serve(server, app))


async def serve(server: uvicorn.Server, app: Starlette) -> int:
    """Take the store (and its one-process lock) before serving, so a second bot stops with a sentence."""
    store = app.state.store
    try:
        await store.start()
    except StoreLockedError as exc:
        problem, status = str(exc), 2
    except STORE_ERRORS as exc:
        problem, status = f"cannot open the {store.name} store: {describe_error(exc)}", 1
    else:
        try:
            await server.serve()  # the lifespan finds the store started and closes it at the end
        finally:
            await store.close()
        return 0 if server.started else 1
    print(f"chatwoot-bot: {problem}", file=sys.stderr)
    aclose = getattr(app.state.worker.responder, "aclose", None)
    if aclose is not None:
        await aclose()
    return status
