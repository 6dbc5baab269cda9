"""Tool functions, one module per area; importing them registers them (see registry.py)."""

from __future__ import annotations


def load() -> None:
    """Import every tool module once, so each `@tool` decorator has registered its function."""
    from chatwoot_mcp.server.tools import (  # noqa: F401
        bot_handoff,
        conversations,
        directory,
        handoff,
        messages,
        reading,
        setup,
        stats,
    )
