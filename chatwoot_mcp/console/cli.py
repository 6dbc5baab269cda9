"""`chatwoot-console`: read the settings once, bind, serve with uvicorn, print `{"url": ...}` when ready."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import socket
import sys

from chatwoot_mcp.config import ConfigError, describe_source


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
    import uvicorn

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
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it: without it small responses wait on the client's delayed ACK (~40 ms).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((settings.host, settings.port))
    except OSError as exc:
        print(f"chatwoot-console: cannot bind {settings.host}:{settings.port}: {exc}", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    host = f"[{settings.host}]" if family == socket.AF_INET6 else settings.host
    url = f"http://{host}:{port}"
    app = create_app(settings, base_url=url)
    config = uvicorn.Config(
        app,
        log_level=args.log_level,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            await task
            print("chatwoot-console: stopped during start-up", file=sys.stderr)
            return 1
        await asyncio.sleep(0.01)
    sys.stdout.write(json.dumps({"url": url}) + "\n")
    sys.stdout.flush()
    await task
    return 0


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
