"""`run(settings, transport=...)`: serve the MCP server over stdio or streamable HTTP (logs on stderr)."""

from __future__ import annotations

import logging
from typing import Literal

import anyio

from chatwoot_mcp.config import Settings
from chatwoot_mcp.server.app import build_server

logger = logging.getLogger(__name__)


def run(
    settings: Settings,
    transport: Literal["stdio", "http"] = "stdio",
    host: str = "127.0.0.1",
    port: int = 8765,
) -> None:
    """Serve until interrupted. Raises ConfigError for an unsafe HTTP set-up (no token off loopback)."""
    server = build_server(settings)
    if transport == "stdio":
        anyio.run(server.run_stdio_async)
        return
    if transport != "http":
        raise ValueError(f"unknown transport {transport!r}; use stdio or http")
    # Imported here: stdio is what assistants spawn, and its cold start should not pay for the HTTP stack.
    import uvicorn

    from chatwoot_mcp.server.http import http_app

    app = http_app(server, settings, host=host)
    logger.info("serving MCP at http://%s:%s/mcp", host, port)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
