"""The server for settings it could not read: it starts and says why through `chatwoot_setup` and its instructions,
because an assistant's client that sees the process exit shows only "Connection closed"."""

from __future__ import annotations

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations

from chatwoot_mcp.server import texts
from chatwoot_mcp.server.app import SERVER_NAME


def misconfigured_server(problem: str) -> MCPServer:
    """One tool, `chatwoot_setup`, that fails naming the setting; `problem` names settings, never their values."""
    explanation = texts.MISCONFIGURED.format(problem=problem)
    server = MCPServer(SERVER_NAME, title=texts.SERVER_TITLE, instructions=explanation)

    async def chatwoot_setup() -> str:
        raise ToolError(explanation)

    server.add_tool(
        chatwoot_setup,
        name="chatwoot_setup",
        title="Set up the Chatwoot connection",
        description="Says why the server could not start with its settings and what to change.",
        annotations=ToolAnnotations(
            read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
        ),
    )
    return server
