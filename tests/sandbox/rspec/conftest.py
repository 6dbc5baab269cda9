"""A sandbox whose AgentBot posts to the test receiver, for the listener and trigger ports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import Sandbox, start_sandbox, stop_process
from tests.sandbox.conftest import Receiver

BOT_SECRET = "segredo-do-bot"


@pytest.fixture(scope="session")
def bot_sandbox_process(receiver_server: Receiver) -> Iterator[Sandbox]:
    box = start_sandbox("--webhook-url", receiver_server.url, "--webhook-secret", BOT_SECRET, "--bot-retry-wait", "0.2")
    try:
        yield box
    finally:
        stop_process(box.process)


@pytest.fixture
def bot_box(bot_sandbox_process: Sandbox, receiver: Receiver) -> Sandbox:
    bot_sandbox_process.reset()
    receiver.clear()
    return bot_sandbox_process


@pytest.fixture(scope="session")
def inbox_sandbox_process(receiver_server: Receiver) -> Iterator[Sandbox]:
    box = start_sandbox("--inbox-webhook-url", receiver_server.url)
    try:
        yield box
    finally:
        stop_process(box.process)


@pytest.fixture
def inbox_box(inbox_sandbox_process: Sandbox, receiver: Receiver) -> Sandbox:
    """A sandbox whose WhatsApp API inbox posts to the test receiver (`create(:channel_api, webhook_url: …)`)."""
    inbox_sandbox_process.reset()
    receiver.clear()
    return inbox_sandbox_process
