"""An open conversation's live re-read: the pages that ask after the same change share one tool call."""

from __future__ import annotations

import anyio
import httpx2
import pytest

from tests.conftest import Sandbox
from tests.console.harness import running_console
from tests.console.test_live import events, signed_in

pytestmark = pytest.mark.anyio


async def test_pages_open_on_a_conversation_re_read_it_once_per_change(sandbox: Sandbox) -> None:
    with running_console(sandbox) as console:
        async with httpx2.AsyncClient(timeout=10) as first, httpx2.AsyncClient(timeout=10) as second:
            for http in (first, second):  # two sessions, as two people's browsers
                await signed_in(http, console, sandbox.admin_token)
            with anyio.fail_after(15):
                stream = events(first, console)
                assert (await anext(stream))[0] == "ready"
                note = {"content": "nota nova", "private": True}
                assert sandbox.api("POST", "conversations/1/messages", json=note).status_code == 200
                while await anext(stream) != ("changed", "1"):
                    pass
                await stream.aclose()
            (await first.delete(f"{sandbox.base_url}/_sandbox/requests")).raise_for_status()
            pages: list[httpx2.Response] = []

            async def re_read(http: httpx2.AsyncClient) -> None:
                pages.append(await http.get(f"{console.url}/c/1/partial", headers={"HX-Request": "true"}))

            async with anyio.create_task_group() as tg:
                for http in (first, second):
                    tg.start_soon(re_read, http)
            assert [page.status_code for page in pages] == [200, 200]
            assert all("nota nova" in page.text for page in pages)
            log = (await first.get(f"{sandbox.base_url}/_sandbox/requests")).json()
            reads = [r for r in log if r["method"] == "GET" and r["path"].endswith("/conversations/1")]
            assert len(reads) == 1
