"""Shared pieces of the responder tests: a responder on the fake model (fixture `fake` in conftest), a conversation."""

from __future__ import annotations

from typing import Any

from bot.brain import BotContext, Turn
from bot.brain.openai_responder import OpenAIResponder
from bot.brain.prompt import load_system_prompt
from tests.fakes.openai_server import FakeOpenAI

API_KEY = "sk-test-0123456789abcdef"


def make_responder(fake: FakeOpenAI, **kwargs: Any) -> OpenAIResponder:
    options: dict[str, Any] = {
        "api_key": API_KEY,
        "base_url": fake.base_url,
        "model": "gpt-test",
        "system_prompt": load_system_prompt(None),
        "timeout": 5.0,
        "max_retries": 2,
    }
    options.update(kwargs)
    return OpenAIResponder(**options)


def context(*history: Turn, customer_name: str | None = "Ana Souza") -> BotContext:
    return BotContext(
        conversation_id=7,
        customer_name=customer_name,
        history=history or (Turn("customer", "Oi, tudo bem?"),),
        bot_name="BIA",
    )
