"""Webhook bodies for the bot tests, built from the example payloads in shared/chatwoot/webhooks/."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

WEBHOOKS = Path(__file__).resolve().parents[3] / "shared" / "chatwoot" / "webhooks"

CONTACT_SENDER = "contact"
USER = {"id": 7, "name": "Ana Agente", "email": "ana@example.com", "type": "user"}
OUR_BOT = {"id": 2, "name": "Atendente IA", "type": "agent_bot"}
OTHER_BOT = {"id": 9, "name": "Outro Bot", "type": "agent_bot"}


@cache
def _example(name: str) -> str:
    return (WEBHOOKS / f"{name}.json").read_text()


def example(name: str) -> dict[str, Any]:
    return json.loads(_example(name))


def message(
    *,
    message_type: str = "incoming",
    private: bool = False,
    sender: str | dict[str, Any] | None = CONTACT_SENDER,
    status: str = "pending",
    assignee: dict[str, Any] | None = None,
    event: str = "message_created",
    message_id: int = 5501,
    conversation_id: int = 87,
    content: str = "Olá! Preciso de ajuda com meu pedido #1029",
    source_id: str | None = None,
) -> dict[str, Any]:
    """A message webhook like Chatwoot's, varied along the axes the gate looks at."""
    body = example("message_created")
    body["source_id"] = source_id
    body["event"] = event
    body["id"] = message_id
    body["message_type"] = message_type
    body["private"] = private
    body["content"] = content
    if sender == CONTACT_SENDER:
        pass  # the example's sender is the contact (Contact#webhook_data, no "type" key)
    else:
        body["sender"] = copy.deepcopy(sender)
    conversation = body["conversation"]
    conversation["id"] = conversation_id
    conversation["status"] = status
    conversation["meta"]["assignee"] = copy.deepcopy(assignee)
    if assignee is None:
        conversation["meta"]["assignee_type"] = None
    else:
        conversation["meta"]["assignee_type"] = "AgentBot" if assignee["type"] == "agent_bot" else "User"
    return body


def conversation_event(event: str, *, status: str, conversation_id: int = 87) -> dict[str, Any]:
    name = "conversation_updated" if event == "conversation_updated" else "conversation_status_changed"
    body = example(name)
    body["event"] = event
    body["status"] = status
    body["id"] = conversation_id
    return body


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()
