"""The README stays true: its tool table is generated from the code, and it names the two commands."""

from __future__ import annotations

import os
import re

from chatwoot_mcp.config import Settings
from chatwoot_mcp.server.catalog import tools_markdown_table
from tests.conftest import REPO

README = REPO / "README.md"
START, END = "<!-- tools:start -->\n", "<!-- tools:end -->"


def readme_table() -> str:
    text = README.read_text()
    return text[text.index(START) + len(START) : text.index(END)]


def test_the_readme_tool_table_matches_the_registered_tools() -> None:
    expected = tools_markdown_table(Settings())
    if os.environ.get("UPDATE_README") == "1":
        text = README.read_text()
        head, tail = text[: text.index(START) + len(START)], text[text.index(END) :]
        README.write_text(head + expected + tail)
    assert readme_table() == expected, "README tool table is stale: run UPDATE_README=1 make test"


def test_the_quick_start_has_exactly_the_two_commands() -> None:
    text = README.read_text()
    quick = text[text.index("## Quick start") :]
    quick = quick[: quick.index("\n## ", 5)]
    commands = re.findall(r"^make \w+", quick, flags=re.MULTILINE)
    assert commands == ["make demo", "make test"]
    assert "make test" in (REPO / ".ci" / "run").read_text()
