"""`chatwoot-console`: read the settings once, bind, serve with uvicorn, print `{"url": ...}` when ready."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys

from chatwoot_mcp.config import ConfigError, describe_source
from chatwoot_mcp.serving import Listener, serve_and_announce


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="chatwoot-console",
        description="The support team's page: watch the bot, take over, reply and hand back (configured like "
        "chatwoot-mcp: CHATWOOT_URL, CHATWOOT_ACCOUNT_ID, CHATWOOT_API_KEY or the credentials file, plus "
        "CONSOLE_* settings).",
    )
    parser.add_argument("--host", default=None, help="listen address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="listen port (default 8090; 0 picks a free one)")
    parser.add_argument("--log-level", default=os.environ.get("CONSOLE_LOG_LEVEL", "warning"))
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> int:
    from chatwoot_mcp.console.app import create_app
    from chatwoot_mcp.console.settings import load_console_settings

    try:
        settings = load_console_settings(os.environ, host=args.host, port=args.port)
        missing = [
            f"- {name}: set {describe_source(name, settings.chatwoot.credentials_file)}"
            for name in ("chatwoot_url", "account_id")
            if getattr(settings.chatwoot, name) is None
        ]
        if missing:
            # CHATWOOT_API_KEY is optional here: people sign in with their own; it only registers the webhook.
            raise ConfigError("Chatwoot is not configured. Missing:\n" + "\n".join(missing))
    except ConfigError as exc:
        print(f"chatwoot-console: {exc}", file=sys.stderr)
        return 2
    try:
        listener = Listener(settings.host, settings.port)
    except OSError as exc:
        print(f"chatwoot-console: cannot bind {settings.host}:{settings.port}: {exc}", file=sys.stderr)
        return 2
    app = create_app(settings, base_url=listener.url)
    line = {"url": listener.url}
    return await serve_and_announce(
        app, listener, line, prog="chatwoot-console", log_level=args.log_level, timeout_graceful_shutdown=2
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr, level=args.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    for noisy in ("httpx2", "httpcore2", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # uvicorn re-raises the signal it caught once it has shut down; a no-op handler makes that a clean exit 0.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: None)
    return asyncio.run(serve(args))


if __name__ == "__main__":
    sys.exit(main())
