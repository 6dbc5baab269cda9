"""The Chatwoot MCP server: `build_server(settings)` and `run(settings, transport=...)`."""

from __future__ import annotations

from chatwoot_mcp.server.app import build_server
from chatwoot_mcp.server.runner import run

__all__ = ["build_server", "run"]
