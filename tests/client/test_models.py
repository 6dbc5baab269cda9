"""The models read Chatwoot's REST and webhook shapes alike: message types, timestamps, secrets, extra keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatwoot_mcp.client import AgentBot, Conversation, Message, ToggleStatusResult

WEBHOOKS = Path(__file__).resolve().parents[3] / "shared" / "chatwoot" / "webhooks"


def example(name: str) -> dict:
    path = WEBHOOKS / f"{name}.json"
    if not path.exists():
        pytest.skip(f"{path} is missing")
    return json.loads(path.read_text())


@pytest.mark.parametrize(("wire", "normalised"), [(0, "incoming"), (1, "outgoing"), (2, "activity"), (3, "template"),
                                                   ("incoming", "incoming"), ("template", "template")])  # fmt: skip
def test_message_type_is_normalised_from_int_or_string(wire: object, normalised: str) -> None:
    assert Message.model_validate({"id": 1, "message_type": wire}).message_type == normalised


def test_an_unknown_message_type_is_refused() -> None:
    with pytest.raises(ValueError):
        Message.model_validate({"id": 1, "message_type": 9})


def test_created_at_is_unix_seconds_from_int_or_iso_string() -> None:
    from_int = Message.model_validate({"id": 1, "message_type": 0, "created_at": 1781697602})
    from_iso = Message.model_validate({"id": 1, "message_type": "incoming", "created_at": "2026-06-17T12:00:02.118Z"})
    assert from_int.created_at == from_iso.created_at == 1781697602


def test_a_webhook_message_and_its_conversation_parse_with_extra_keys_kept() -> None:
    payload = example("message_created")
    message = Message.model_validate(payload)
    conversation = Conversation.model_validate(payload["conversation"])
    assert message.message_type == "incoming"
    assert isinstance(message.created_at, int)
    assert conversation.id == payload["conversation"]["id"]
    assert conversation.status == payload["conversation"]["status"]
    assert conversation.meta.sender is not None
    assert message.model_extra is not None and "account" in message.model_extra


def test_conversation_events_parse_into_conversations() -> None:
    for name in ("conversation_status_changed", "conversation_updated"):
        payload = example(name)
        conversation = Conversation.model_validate(payload)
        assert conversation.status == payload["status"]
        assert conversation.meta.assignee_type == payload["meta"].get("assignee_type")


def test_missing_optional_keys_default_and_success_may_be_null() -> None:
    conv = Conversation.model_validate({"id": 7, "status": "open"})
    assert conv.meta.assignee is None and conv.labels == [] and conv.messages == []
    result = ToggleStatusResult.model_validate({"success": None, "conversation_id": 7, "current_status": "open"})
    assert result.success is None


def test_secrets_in_models_are_hidden_from_repr() -> None:
    bot = AgentBot.model_validate({"id": 1, "name": "BIA", "access_token": "tok-AAA", "secret": "sec-BBB"})
    assert "tok-AAA" not in repr(bot) and "sec-BBB" not in repr(bot) and "sec-BBB" not in str(bot.model_dump())
    assert bot.secret is not None and bot.secret.get_secret_value() == "sec-BBB"
