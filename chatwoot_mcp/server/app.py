"""`build_server`: settings in, an MCPServer with the selected tools, the transcript resource and prompts out."""

from __future__ import annotations

import io
import logging
import sys
import types
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pydantic_core
from mcp.server import MCPServer
from mcp.server.mcpserver.context import Context
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp_types import CallToolResult, InputRequiredResult, TextContent
from mcp_types import Tool as MCPTool
from pydantic import ValidationError

from chatwoot_mcp.config import Settings
from chatwoot_mcp.server import texts
from chatwoot_mcp.server.connection import Connection
from chatwoot_mcp.server.prompts import register_prompts
from chatwoot_mcp.server.registry import selected_specs, toolsets_problem
from chatwoot_mcp.server.resources import register_resources
from chatwoot_mcp.server.schema import compact_schema

SERVER_NAME = "chatwoot-mcp"

logger = logging.getLogger(__name__)


class ChatwootMCPServer(MCPServer):
    """MCPServer whose tool errors are always a sentence: argument problems name the fields (never their
    values, which may be secrets) and a crash says so instead of a bare "Error executing tool"."""

    connection: Connection

    async def list_tools(self) -> list[MCPTool]:
        """The tools, with output schemas in their compact equivalent form (cheaper for clients to validate)."""
        tools = await super().list_tools()
        return [
            tool.model_copy(update={"output_schema": compact_schema(tool.output_schema)})
            if tool.output_schema
            else tool
            for tool in tools
        ]

    async def run_stdio_async(self) -> None:
        """The SDK's stdio transport, with stdout flushed per line: it points fd 1 at stderr while serving, but a
        stray print still in Python's buffer would be written at exit, once fd 1 is the client's pipe again."""
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(line_buffering=True)
        await super().run_stdio_async()

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        try:
            result = await super().call_tool(name, arguments, context)
        except UnexpectedToolError as exc:
            logger.error("tool %s crashed", name, exc_info=exc.__cause__)
            raise ToolError(
                f"{name} failed inside the server (a bug, not your arguments); try again once, "
                "otherwise continue without this tool and report it"
            ) from None
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                raise ToolError(invalid_arguments(name, exc.__cause__)) from exc.__cause__
            raise
        return compact_text(result)


def compact_text(result: CallToolResult | InputRequiredResult) -> CallToolResult | InputRequiredResult:
    """The text copy of a structured result as compact JSON rather than the SDK's indented form: the same
    data, about a third smaller to send, to parse and for a model to read."""
    if not isinstance(result, CallToolResult) or result.structured_content is None or len(result.content) != 1:
        return result
    text = pydantic_core.to_json(result.structured_content).decode()
    return result.model_copy(update={"content": [TextContent(type="text", text=text)]})


def invalid_arguments(name: str, error: ValidationError) -> str:
    problems = []
    for item in error.errors(include_input=False, include_url=False):
        field = ".".join(str(part) for part in item["loc"]) or "arguments"
        problems.append(f"{field}: {item['msg']}")
    return f"invalid arguments for {name}: {'; '.join(problems)}. Fix them and call again (see the tool's input schema)"


def build_server(settings: Settings, *, act_as_bot: bool = False, keep_clients: bool = False) -> ChatwootMCPServer:
    """One server with its own connection state; read-only mode and toolsets filter the same tool list.

    Its pooled Chatwoot clients are closed when a session (stdio process, in-memory client, HTTP manager) ends,
    unless `keep_clients`: a long-lived owner that opens many sessions keeps the pool and closes it itself
    (`server.connection.aclose()`).
    """
    conn = Connection.from_settings(settings, act_as_bot=act_as_bot)

    @asynccontextmanager
    async def lifespan(_: MCPServer) -> AsyncIterator[None]:
        try:
            yield None
        finally:
            if not keep_clients:
                await conn.aclose()

    problem = toolsets_problem(settings.mcp_toolsets)
    if problem is not None:
        logger.warning("%s", problem)
    server = ChatwootMCPServer(
        SERVER_NAME,
        title=texts.SERVER_TITLE,
        instructions=texts.SERVER_INSTRUCTIONS + (f"\nConfiguration problem: {problem}.\n" if problem else ""),
        version=_version(),
        lifespan=lifespan,
    )
    server.connection = conn
    for spec in selected_specs(read_only=settings.mcp_read_only, toolsets=settings.mcp_toolsets):
        server.add_tool(
            types.MethodType(spec.fn, conn),
            name=spec.name,
            title=spec.title,
            description=spec.description,
            annotations=spec.annotations,
        )
    register_resources(server, conn)
    register_prompts(server, settings)
    return server


def _version() -> str:
    try:
        from chatwoot_mcp import __version__
    except ImportError:
        return "0"
    return str(__version__)
