"""The handoff console: a web page for the support team, one more caller of the MCP tools."""
