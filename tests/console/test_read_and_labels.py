"""Opening a conversation marks it read in Chatwoot (the list's unread count drops), and the list's label filter
offers the account's labels, read through the tools and kept a minute."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from chatwoot_mcp.console.labels import LabelCache
from chatwoot_mcp.server.session import ToolCallFailed
from tests.conftest import Sandbox
from tests.console.harness import chromium, running_console, sign_in

pytestmark = pytest.mark.anyio


def unread(sandbox: Sandbox, conversation_id: int) -> int:
    response = sandbox.api("GET", f"conversations/{conversation_id}")
    response.raise_for_status()
    return int(response.json().get("unread_count") or 0)


async def test_opening_a_conversation_marks_it_read_and_the_lists_unread_count_drops(sandbox: Sandbox) -> None:
    assert unread(sandbox, 1) > 0
    with running_console(sandbox) as console:
        async with chromium() as browser:
            page = await sign_in(browser, console, sandbox.admin_token)
            assert await page.locator("li.row[data-id='1'] .unread").count() == 1
            assert await page.locator("li.row[data-id='2'] .unread").count() == 1
            await page.click("li.row[data-id='1'] a")
            await page.wait_for_selector("#owner-badge")
            with anyio.fail_after(10):
                while unread(sandbox, 1):
                    await anyio.sleep(0.05)
            await page.goto(f"{console.url}/")
            assert await page.locator("li.row[data-id='1'] .unread").count() == 0
            # Only what was opened: the other conversation is still unread, and nothing else changed.
            assert await page.locator("li.row[data-id='2'] .unread").count() == 1
            assert await page.inner_text("li.row[data-id='1'] .badge") == "🤖 BIA"


async def test_the_label_filter_offers_the_accounts_labels_and_filters_by_the_chosen_one(sandbox: Sandbox) -> None:
    with running_console(sandbox) as console:
        async with chromium() as browser:
            page = await sign_in(browser, console, sandbox.admin_token)
            options = await page.locator("select[name=label] option").evaluate_all("os => os.map(o => o.value)")
            assert options == ["", "reclamacao", "entrega", "vip", "pagamento"]
            await page.select_option("select[name=label]", "reclamacao")
            await page.click(".filters button[type=submit]")
            await page.wait_for_url("**label=reclamacao**")
            ids = await page.locator("li.row").evaluate_all("rows => rows.map(r => r.dataset.id)")
            assert ids == ["3"]
            assert await page.locator("select[name=label]").input_value() == "reclamacao"
            # A label typed into the address that the account does not have stays chosen (and lists nothing).
            await page.goto(f"{console.url}/?owner=all&label=nao-existe")
            assert await page.locator("select[name=label]").input_value() == "nao-existe"
            assert await page.locator("li.row").count() == 0
            # Agents may list the labels too.
            agent = await sign_in(browser, console, sandbox.agent_token)
            assert await agent.locator("select[name=label] option").count() == 5


class CountingSession:
    """Stands in for a signed-in person's tool session: answers chatwoot_list_labels and counts the calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.fail = False

    async def call(self, name: str, **arguments: Any) -> dict[str, Any]:
        assert name == "chatwoot_list_labels"
        self.calls += 1
        if self.fail:
            raise ToolCallFailed("Chatwoot is unreachable", tool=name)
        return {"items": [{"title": "vip"}, {"title": f"nova-{self.calls}"}]}


async def test_labels_are_read_once_a_minute_and_the_last_list_outlives_a_failure() -> None:
    now = [1000.0]
    cache = LabelCache(clock=lambda: now[0])
    session = CountingSession()
    assert await cache.titles(session) == ["vip", "nova-1"]  # type: ignore[arg-type]
    now[0] += 59
    assert await cache.titles(session) == ["vip", "nova-1"]  # type: ignore[arg-type]
    assert session.calls == 1
    now[0] += 2
    assert await cache.titles(session) == ["vip", "nova-2"]  # type: ignore[arg-type]
    now[0] += 61
    session.fail = True
    assert await cache.titles(session) == ["vip", "nova-2"]  # type: ignore[arg-type]
    assert await LabelCache().titles(session) is None  # type: ignore[arg-type]
