"""The handoff tools' reasons, for the records: after `chatwoot_take_over`, `chatwoot_return_to_bot` or
`chatwoot_hand_off` changed a conversation, the server that ran it (any process, any caller) writes the change
with its trigger, who and the note straight into the shared mirror database (MIRROR_DATABASE_URL). Chatwoot's
webhooks report the same change to the bot; the ledger keeps one record and this reason on it."""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Any

import anyio
import asyncpg

from chatwoot_mcp.records.mirror import build_mirror
from chatwoot_mcp.records.model import Hands, Observation
from chatwoot_mcp.server.tools.common import BOT_SOURCE_PREFIX

logger = logging.getLogger(__name__)

HANDOFF_TOOLS = {"chatwoot_take_over": "take_over", "chatwoot_return_to_bot": "return_to_bot",
                 "chatwoot_hand_off": "hand_off"}  # fmt: skip
OWNER_HANDS: dict[str, Hands] = {
    "bot": "ai",
    "human": "human",
    "queue": "pending",
    "closed": "closed",
    "snoozed": "human",
}
# A tool's answer must not wait on the records: the change itself reaches them through the webhooks anyway.
WRITE_TIMEOUT = 2.0
WRITE_ERRORS = (OSError, TimeoutError, sqlite3.Error, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError)


def tool_observation(
    name: str, arguments: dict[str, Any], data: Any, user_id: int | None, now: float
) -> Observation | None:
    """The change a handoff tool reports in its result, or None when it changed nothing."""
    trigger = HANDOFF_TOOLS.get(name)
    if trigger is None or not isinstance(data, dict) or not data.get("changed"):
        return None
    key = arguments.get("idempotency_key")
    if isinstance(key, str) and key.startswith(BOT_SOURCE_PREFIX):
        return None  # the bot's own handoff: the bot reports it, with its trigger (customer asked, fail-safe, …)
    conversation = data.get("conversation") if isinstance(data.get("conversation"), dict) else {}
    hands = OWNER_HANDS.get(str(conversation.get("owner")))
    cid = data.get("conversation_id") or conversation.get("id")
    if hands is None or not isinstance(cid, int):
        return None
    assignee = conversation.get("assignee") if isinstance(conversation.get("assignee"), dict) else {}
    person = assignee.get("id") if assignee.get("type", "user") == "user" else None
    reason = arguments.get("reason") or arguments.get("note")
    return Observation(
        conversation_id=cid,
        hands=hands,
        at=now,
        source="tool",
        trigger=trigger,
        reason=reason if isinstance(reason, str) else None,
        who_type="agent",
        who_id=person if trigger == "take_over" else user_id,
        status=conversation.get("status"),
        assigned_to=person,
    )


async def report_tool_call(connection: Any, name: str, arguments: dict[str, Any], result: Any) -> None:
    """Write the change a handoff tool made, when this server has a mirror database; never raises."""
    url = connection.settings.mirror_database_url
    if name not in HANDOFF_TOOLS or url is None or getattr(result, "is_error", False):
        return
    obs = tool_observation(
        name, arguments, getattr(result, "structured_content", None), connection.user_id, time.time()
    )
    if obs is None:
        return
    mirror = build_mirror(url.get_secret_value())
    try:
        with anyio.move_on_after(WRITE_TIMEOUT) as scope:
            await mirror.apply(obs)
        if scope.cancelled_caught:
            logger.warning("the handoff record of %s was not written: the mirror database did not answer", name)
    except WRITE_ERRORS as exc:
        logger.warning("the handoff record of %s was not written: %s", name, type(exc).__name__)
    finally:
        with anyio.CancelScope(shield=True):
            await mirror.close()
