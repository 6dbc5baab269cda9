"""The dependency directions of ../shared/STYLE.md, read from the source: the sandbox imports nothing from the rest of
chatwoot_mcp (it speaks Chatwoot's wire format on its own, so a modelling mistake is never shared with the client),
the fakes import nothing from the project, and the client knows nothing of the server, the console or the bot."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _imports(source: str, package: tuple[str, ...]) -> list[str]:
    """Every module a file of `package` imports, relative imports resolved against the package."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found.extend(f"{module}.{alias.name}" if not node.module else module for alias in node.names)
    return found


# (the files, what they may import from the project, the project's top-level packages they are checked against)
RULES = {
    "sandbox": ("chatwoot_mcp/sandbox", ("chatwoot_mcp.sandbox",)),
    "fakes": ("tests/fakes", ("tests.fakes",)),
    "client": ("chatwoot_mcp/client", ("chatwoot_mcp.client",)),
}
PROJECT = ("chatwoot_mcp", "bot", "tests")


@pytest.mark.parametrize("name", sorted(RULES))
def test_each_layer_imports_only_what_it_may(name: str) -> None:
    folder, allowed = RULES[name]
    wrong = [
        f"{path.relative_to(REPO)}: {module}"
        for path in sorted((REPO / folder).rglob("*.py"))
        for module in _imports(path.read_text(), path.relative_to(REPO).parts[:-1])
        if module.split(".")[0] in PROJECT and not module.startswith(allowed)
    ]
    assert wrong == []


def test_the_check_sees_a_relative_import_that_leaves_the_sandbox() -> None:
    """The rule above would pass on a reader that missed `from ..x import y`."""
    source = "from ..serving import Listener\nfrom .state import Store\nfrom . import render\n"
    assert _imports(source, ("chatwoot_mcp", "sandbox")) == [
        "chatwoot_mcp.serving",
        "chatwoot_mcp.sandbox.state",
        "chatwoot_mcp.sandbox.render",
    ]
