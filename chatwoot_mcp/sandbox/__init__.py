"""A Chatwoot-compatible fake server for tests and demos; imports nothing from the rest of chatwoot_mcp."""
