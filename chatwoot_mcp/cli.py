"""The `chatwoot-mcp` command: serve MCP (stdio or HTTP), run the sandbox, or check the configuration."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from chatwoot_mcp import __version__
from chatwoot_mcp.config import ConfigError, load_settings

USAGE = """chatwoot-mcp [--transport stdio|http] [--host H] [--port P]
       chatwoot-mcp check
       chatwoot-mcp demo [--keep-running]
       chatwoot-mcp sandbox [options]   (see chatwoot-mcp sandbox --help)"""


def serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatwoot-mcp", usage=USAGE, description="Chatwoot MCP server.")
    parser.add_argument("--transport", choices=["stdio", "http"], default="stdio")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP transport only (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="HTTP transport only (default 8765)")
    parser.add_argument("--log-level", default=os.environ.get("CHATWOOT_MCP_LOG_LEVEL", "INFO"))
    parser.add_argument("--version", action="version", version=f"chatwoot-mcp {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["sandbox"]:
        from chatwoot_mcp.sandbox.cli import main as sandbox_main

        return sandbox_main(args[1:])
    if args[:1] == ["demo"]:
        from chatwoot_mcp.demo.cli import main as demo_main

        return demo_main(args[1:])
    if args[:1] == ["check"]:
        from chatwoot_mcp.check import main as check_main

        return check_main(args[1:])
    options = serve_parser().parse_args(args)
    # stdout is the stdio protocol: every log line goes to stderr.
    logging.basicConfig(
        stream=sys.stderr,
        level=options.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx2 logs every request at INFO; that is noise on stderr and a measurable cost per tool call.
    for noisy in ("httpx2", "httpcore2", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
    try:
        settings = load_settings(os.environ)
    except ConfigError as exc:
        print(f"chatwoot-mcp: {exc}", file=sys.stderr)
        if options.transport == "stdio":
            serve_problem(str(exc))  # an assistant's client then learns why instead of "Connection closed"
        return 2
    from chatwoot_mcp.server import run

    try:
        run(settings, transport=options.transport, host=options.host, port=options.port)
    except ConfigError as exc:
        print(f"chatwoot-mcp: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


def serve_problem(problem: str) -> None:
    """Serve, over stdio, a server whose only tool says which setting is wrong, until the client closes it."""
    import anyio

    from chatwoot_mcp.server.misconfigured import misconfigured_server

    try:
        anyio.run(misconfigured_server(problem).run_stdio_async)
    except KeyboardInterrupt:
        pass
