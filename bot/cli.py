"""`chatwoot-bot`: read the environment, set up JSON logs on stderr, and serve the sidecar with uvicorn."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence

import uvicorn
from starlette.applications import Starlette

from bot import texts
from bot.app import create_app
from bot.brain.base import Responder, build_responder
from bot.logs import log_event, setup_logging
from bot.records.commands import COMMANDS as RECORDS_COMMANDS
from bot.records.commands import records_main
from bot.runner import describe_error
from bot.server import uvicorn_config
from bot.settings import BotSettings, load_bot_settings
from bot.store import STORE_ERRORS, StoreLockedError
from chatwoot_mcp.config import ConfigError

logger = logging.getLogger(__name__)


def describe_responder(responder: Responder, settings: BotSettings) -> str:
    if responder.name.startswith("openai"):
        return texts.RESPONDER_OPENAI_LOG.format(model=settings.chatwoot.openai_model)
    if responder.name.startswith("rules"):
        return texts.RESPONDER_RULES_LOG
    return f"Respondedor: {responder.name}."


def main(argv: Sequence[str] | None = None, *, responder: Responder | None = None) -> int:
    """Serve until stopped; `responder` replaces the one the settings pick (the crash tests' launcher uses it)."""
    if (given := list(sys.argv[1:] if argv is None else argv))[:1] and given[0] in RECORDS_COMMANDS:
        return records_main(given, os.environ)  # `chatwoot-bot mirror --backfill`, `chatwoot-bot stats`
    parser = argparse.ArgumentParser(
        prog="chatwoot-bot",
        description="Chatwoot webhook bot sidecar",
        epilog="also: chatwoot-bot stats [--days N] [--json]; chatwoot-bot mirror --backfill [--since YYYY-MM-DD]",
    )
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
    responder = responder or build_responder(settings)
    log_event(logger, "responder_chosen", description=describe_responder(responder, settings))
    app = create_app(settings, responder=responder, close_responder=True)
    config = uvicorn_config(app, settings)
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
    except (*STORE_ERRORS, OSError) as exc:  # opening also meets the file system and the network (DNS)
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
