"""Baseline: a bare MCPServer with one echo tool over stdio, nothing else imported."""

from mcp.server import MCPServer

server = MCPServer("bare")


@server.tool()
def echo(text: str) -> str:
    return text


if __name__ == "__main__":
    server.run("stdio")
