"""chatwoot-mcp: Chatwoot as MCP tools for AI assistants, bots and dashboards."""

__version__ = "0.1.0"
