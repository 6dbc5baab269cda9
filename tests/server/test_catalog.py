"""The README tool table comes from the registered tools."""

from __future__ import annotations

from chatwoot_mcp.config import Settings
from chatwoot_mcp.server.catalog import tools_markdown_table
from chatwoot_mcp.server.registry import TOOL_ORDER


def test_the_table_has_one_row_per_tool_with_its_read_only_flag() -> None:
    table = tools_markdown_table(Settings())
    rows = table.strip().splitlines()[2:]
    assert [row.split("|")[1].strip(" `") for row in rows] == list(TOOL_ORDER)
    send = next(row for row in rows if "chatwoot_send_message" in row)
    assert "| Send a message | no | Send a reply to the customer" in send
    listing = next(row for row in rows if "chatwoot_list_conversations" in row)
    assert "| yes | List conversations, newest activity first, 25 per page. |" in listing


def test_the_read_only_table_lists_only_read_tools() -> None:
    table = tools_markdown_table(Settings(mcp_read_only=True))
    assert "| no |" not in table
    assert "chatwoot_take_over" not in table and "chatwoot_list_inboxes" in table
