"""The README's tool table, generated from the registered tools so it cannot go stale."""

from __future__ import annotations

from chatwoot_mcp.config import Settings
from chatwoot_mcp.server.registry import selected_specs


def _first_sentence(text: str) -> str:
    first = text.strip().split("\n\n", 1)[0]
    end = first.find(". ")
    sentence = first if end == -1 else first[: end + 1]
    return sentence.replace("|", "\\|")


def tools_markdown_table(settings: Settings) -> str:
    """`name | title | read-only | what it does` for the tools these settings expose, one row per tool."""
    rows = [
        "| Tool | Title | Read-only | What it does |",
        "|---|---|---|---|",
    ]
    for spec in selected_specs(read_only=settings.mcp_read_only, toolsets=settings.mcp_toolsets):
        read_only = "yes" if spec.read_only else "no"
        rows.append(f"| `{spec.name}` | {spec.title} | {read_only} | {_first_sentence(spec.description)} |")
    return "\n".join(rows) + "\n"
