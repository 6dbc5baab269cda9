"""Over real HTTP: the sandbox delivers AgentBot and account webhooks to the bot; the bot hands off; a person
takes over and gives it back through the MCP tools from another server (which shares the mirror database);
the conversation is resolved in Chatwoot's screen. Each change is one record, with its why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from chatwoot_mcp.server.session import open_tool_session
from tests.bot.harness import (
    Chatwoot,
    Customer,
    bot_settings,
    chatwoot_settings,
    eventually,
    running_bot,
)
from tests.conftest import Sandbox

pytestmark = pytest.mark.anyio

EVENTS = ["conversation_created", "conversation_status_changed", "conversation_updated", "message_created"]


async def account_webhook(chatwoot: Chatwoot, url: str) -> str:
    response = await chatwoot.api("POST", "webhooks", json={"webhook": {"url": url, "subscriptions": EVENTS}})
    response.raise_for_status()
    return str(response.json()["payload"]["webhook"]["secret"])


async def test_each_change_of_hands_is_one_record_with_its_why(sandbox: Sandbox, tmp_path: Path) -> None:
    async with httpx2.AsyncClient(timeout=10) as http:
        chatwoot = Chatwoot(sandbox, http)
        settings = bot_settings(sandbox, None, f"sqlite:///{tmp_path}/bot.sqlite3")
        secret = await account_webhook(chatwoot, f"http://127.0.0.1:{settings.port}/webhooks/records")
        settings = settings.model_copy(update={"mirror_webhook_secret": SecretStr(secret)})
        agent = sandbox.agent("agent")
        tool_settings = chatwoot_settings(sandbox, None).model_copy(
            update={"api_token": SecretStr(agent["access_token"]), "bot_token": None,
                    "mirror_database_url": SecretStr(f"sqlite:///{tmp_path}/mirror.sqlite3")}
        )  # fmt: skip
        async with running_bot(chatwoot, settings) as app:
            records = app.state.records
            mirror = records.mirror

            seen: list[Any] = []

            async def hands(expected: list[tuple[Any, ...]]) -> list[tuple[Any, ...]] | None:
                await eventually(chatwoot.deliveries_settled, timeout=10)
                found = [(r.from_hands, r.to_hands, r.trigger) for r in await mirror.records(cid)]
                seen[:] = [found]
                return found if found == expected and not records.recorder.waiting else None

            customer = Customer(chatwoot)
            cid = await customer.start()
            await customer.say("Quero falar com um atendente, por favor")
            await eventually(lambda: hands([("ai", "pending", "customer_asked")]), timeout=15)
            async with open_tool_session(tool_settings) as tools:
                await tools.call("chatwoot_take_over", conversation_id=cid, note="cliente VIP", notify=False)
                await eventually(
                    lambda: hands([("ai", "pending", "customer_asked"), ("pending", "human", "take_over")])
                )
                await tools.call("chatwoot_return_to_bot", conversation_id=cid, notify=False)
            expected = [("ai", "pending", "customer_asked"), ("pending", "human", "take_over"),
                        ("human", "ai", "return_to_bot")]  # fmt: skip
            try:
                await eventually(lambda: hands(expected))
            except AssertionError:
                raise AssertionError(f"records: {seen}") from None
            resolved = await chatwoot.api("POST", f"conversations/{cid}/toggle_status", json={"status": "resolved"})
            resolved.raise_for_status()
            await eventually(lambda: hands([*expected, ("ai", "closed", "resolved")]))
            stored = await mirror.records(cid)
            assert stored[1].reason == "cliente VIP" and stored[1].who_id == agent["id"]
            assert stored[0].who_type == "bot"
            assert stored[2].held_seconds is not None and stored[2].held_seconds > 0
            metrics = await http.get(f"http://127.0.0.1:{settings.port}/metrics")
        families = {f.name: f for f in text_string_to_metric_families(metrics.text)}
        handoffs = {(s.labels["direction"], s.labels["trigger"]): s.value for s in families["chatwoot_bot_handoffs"].samples
                    if s.name == "chatwoot_bot_handoffs_total"}  # fmt: skip
        assert handoffs == {("ai_to_human", "customer_asked"): 1, ("within_people", "take_over"): 1,
                            ("human_to_ai", "return_to_bot"): 1, ("closed", "resolved"): 1}  # fmt: skip
        acks = families["chatwoot_bot_webhook_ack_seconds"]
        counted = {s.labels["route"]: s.value for s in acks.samples if s.name.endswith("_count")}
        assert counted["bot"] >= 2 and counted["records"] >= 4
        assert all("conversation" not in label for s in acks.samples for label in s.labels)
