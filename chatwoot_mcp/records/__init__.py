"""Handoff records: who holds each conversation, every change of hands, and the mirror database they live in.

Shared by the bot (which writes them) and the MCP server (whose handoff tools add their reasons and whose
`chatwoot_handoff_stats` reads them); imports nothing from either.
"""
