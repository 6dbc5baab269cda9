"""`chatwoot-mcp demo`: the sandbox, the bot and the console together, with the four handoff flows checked."""
