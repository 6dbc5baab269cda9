"""mcp.json.example: one valid snippet per MCP client, launching the real command with settings it reads."""

from __future__ import annotations

import json
from typing import Any

from chatwoot_mcp.config import SOURCES
from chatwoot_mcp.server.registry import selected_specs
from tests.conftest import REPO

EXAMPLE = REPO / "mcp.json.example"
ENV_NAMES = {name for envs, _ in SOURCES.values() for name in envs}
CLIENTS = {"claude-desktop", "claude-code", "kiro", "cursor", "vscode"}


def load() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def servers(snippet: dict[str, Any]) -> dict[str, Any]:
    return snippet.get("servers") or snippet["mcpServers"]


def test_every_client_has_a_venv_and_a_uvx_snippet() -> None:
    keys = set(load())
    for client in CLIENTS:
        assert client in keys and f"{client}-uvx" in keys, client


def test_each_stdio_entry_launches_chatwoot_mcp_from_the_venv_or_uvx() -> None:
    for key, snippet in load().items():
        for server in servers(snippet).values():
            if server.get("type") == "http":
                assert server["url"].endswith("/mcp") and server["headers"]["Authorization"].startswith("Bearer ")
                continue
            if key.endswith("-uvx"):
                assert (server["command"], server["args"]) == (
                    "uvx",
                    ["--from", "/path/to/chatwoot-mcp", "chatwoot-mcp"],
                )
            else:
                assert server["command"].endswith(".venv/bin/chatwoot-mcp"), key
            assert set(server["env"]) <= ENV_NAMES, f"{key} sets a variable the server does not read"
            assert {"CHATWOOT_URL", "CHATWOOT_API_TOKEN"} <= set(server["env"]), key


def test_vscode_uses_the_servers_key_with_type_stdio() -> None:
    data = load()
    for key in ("vscode", "vscode-uvx"):
        assert "mcpServers" not in data[key]
        assert all(server["type"] == "stdio" for server in data[key]["servers"].values())


def test_kiro_auto_approves_exactly_the_read_tools_except_setup() -> None:
    # chatwoot_setup can repoint the server at another Chatwoot: a person approves that, never auto-approval.
    read_tools = {spec.name for spec in selected_specs(read_only=True, toolsets=None)} - {"chatwoot_setup"}
    assert read_tools == {spec.name for spec in selected_specs(read_only=False, toolsets=None) if spec.read_only} - {
        "chatwoot_setup"
    }
    for key in ("kiro", "kiro-uvx"):
        for server in servers(load()[key]).values():
            assert set(server["autoApprove"]) == read_tools
