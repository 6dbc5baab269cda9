"""The bot's side of the handoff records: webhooks and its own decisions into the ledger, off the reply path;
the backfill, the daily figures and their commands. The ledger and the mirror are `chatwoot_mcp.records`."""
