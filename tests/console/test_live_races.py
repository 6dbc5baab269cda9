"""Live re-reads racing the page: an action sent while the conversation is being re-read still happens, and a
change that comes while a row is being re-read still shows."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from tests.bot.harness import Chatwoot, eventually
from tests.conftest import Sandbox
from tests.console.harness import chromium, running_console, sign_in, state_of

pytestmark = pytest.mark.anyio

# In one script, so a re-read is still in flight and another queued behind it when the action is sent (an XHR
# cannot finish within it), and another change's re-read follows: htmx keeps only the last request queued on #conv,
# and sends the queued one the moment the one in flight ends (a live change's re-read in flight when a person
# clicked lost the action this way, about one run in two on a slow machine).
REREAD_ACT_REREAD = """() => {
  const conv = document.getElementById("conv");
  const reread = () => window.htmx.ajax("GET", conv.getAttribute("hx-get"), {source: conv, target: conv});
  reread();
  reread();
  document.getElementById("return").click();
  reread();
}"""


async def test_returning_while_the_conversation_is_being_re_read_returns_it(sandbox: Sandbox) -> None:
    async with httpx2.AsyncClient(timeout=10) as http:
        chatwoot = Chatwoot(sandbox, http)
        with running_console(sandbox) as console:
            async with chromium() as browser:
                page = await sign_in(browser, console, sandbox.admin_token)
                await page.goto(f"{console.url}/c/1")
                await page.click("#take-over")
                await page.wait_for_selector("#owner-badge:has-text('Você')")
                await page.evaluate(REREAD_ACT_REREAD)
                await page.wait_for_selector("#owner-badge:has-text('BIA')")
                state = await state_of(chatwoot.http, sandbox, 1)
                assert state["status"] == "pending" and state["assignee_id"] is None


# The row's re-read is sent, then, before it answers, the stream says its conversation changed again (as the
# `changed` event does): htmx would drop the re-read that event queues on the row it then replaces.
REREAD_THEN_CHANGE = """([id]) => {
  const row = document.querySelector(`li.row[data-id="${id}"]`);
  window.htmx.ajax("GET", row.getAttribute("hx-get"), {source: row, target: row, swap: "outerHTML"});
  window.htmx.trigger(document.getElementById("changes"), "htmx:sseMessage", {type: "changed", data: String(id)});
}"""


async def test_a_change_that_comes_while_its_row_is_re_read_is_read_again(sandbox: Sandbox) -> None:
    with running_console(sandbox) as console:
        async with chromium() as browser:
            page = await sign_in(browser, console, sandbox.admin_token)
            row = int(await page.get_attribute("li.row", "data-id") or 0)
            reads: list[str] = []

            def seen(request: Any) -> None:
                if request.url.endswith(f"/partials/row/{row}"):
                    reads.append(request.url)

            page.on("request", seen)
            await page.evaluate(REREAD_THEN_CHANGE, [row])

            async def read_again() -> bool:
                return len(reads) >= 2

            await eventually(read_again)  # once more, after the new row settled
