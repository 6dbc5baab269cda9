"""Command line: bind a socket, serve the sandbox with uvicorn, print the start-up JSON line when ready."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import socket
import sys

from .outside import PROVIDERS

DEFAULT_RETRY_WAIT = 3.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="chatwoot-mcp sandbox", description="Run a Chatwoot-compatible sandbox.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--webhook-url", default=None, help="the AgentBot's outgoing URL")
    parser.add_argument("--webhook-secret", default=None, help="the AgentBot's signing secret")
    parser.add_argument(
        "--refuse-private-network",
        action="store_true",
        help="refuse webhook URLs without a public address, as Chatwoot 4.14+ does unless"
        " SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true (by default the sandbox delivers to them)",
    )
    parser.add_argument(
        "--seed-conversations",
        type=int,
        default=0,
        metavar="N",
        help="start with N more conversations (every status, the last 30 days) in account 1, for benchmarks",
    )
    parser.add_argument("--seed-contacts", type=int, default=0, metavar="N", help="start with N more contacts")
    for name, real in PROVIDERS.items():
        parser.add_argument(
            f"--{name.removesuffix('_url').replace('_', '-')}-url",
            dest=name,
            default=None,
            metavar="URL",
            help=f"base URL of {real} for inbox health checks (a fake's in tests); by default it is not reached",
        )
    parser.add_argument("--bot-retry-wait", type=float, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--inbox-webhook-url", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--log-level", default="warning", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _retry_wait(args: argparse.Namespace) -> float:
    if args.bot_retry_wait is not None:
        return max(0.0, float(args.bot_retry_wait))
    raw = os.environ.get("SANDBOX_BOT_RETRY_WAIT")
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_RETRY_WAIT
    except ValueError:
        return DEFAULT_RETRY_WAIT


async def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import SandboxApp
    from .seed import Secrets, SeedOptions, startup_info

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        print(f"sandbox: cannot bind {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if family == socket.AF_INET6 else args.host
    try:
        sandbox = SandboxApp(
            Secrets(),
            SeedOptions(
                webhook_url=args.webhook_url,
                webhook_secret=args.webhook_secret,
                bulk_conversations=max(0, args.seed_conversations),
                bulk_contacts=max(0, args.seed_contacts),
                inbox_webhook_url=args.inbox_webhook_url,
                provider_urls={name: getattr(args, name) for name in PROVIDERS if getattr(args, name)},
            ),
            bot_retry_wait=_retry_wait(args),
            allow_private_network=not args.refuse_private_network,
        )
    except ValueError as exc:  # a provider URL that is not an http(s) one
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2
    info = startup_info(sandbox.engine.store, sandbox.engine.keys, f"http://{host}:{port}")
    sandbox.info.update(info)
    config = uvicorn.Config(
        sandbox.starlette(), log_level=args.log_level, access_log=False, lifespan="on", timeout_graceful_shutdown=3
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            await task
            print("sandbox: server stopped during start-up", file=sys.stderr)
            return 1
        await asyncio.sleep(0.01)
    sys.stdout.write(json.dumps(info) + "\n")
    sys.stdout.flush()
    await task
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr, level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    # uvicorn re-raises the signal it caught once it has shut down; a no-op handler makes that a clean exit 0
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: None)
    return asyncio.run(_serve(args))
