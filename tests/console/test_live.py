"""The live stream and its source: signed account webhooks in, per-viewer events out, a re-read on reconnect."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import anyio
import httpx2
import pytest

from chatwoot_mcp.signature import sign
from tests.conftest import Sandbox
from tests.console.harness import Console, running_console

pytestmark = pytest.mark.anyio


async def signed_in(http: httpx2.AsyncClient, console: Console, token: str) -> None:
    form = await http.get(f"{console.url}/login")
    csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
    answer = await http.post(f"{console.url}/login", data={"csrf": csrf, "access_token": token})
    assert answer.status_code == 303 and "cwc_session" in http.cookies


async def events(http: httpx2.AsyncClient, console: Console, **headers: str) -> AsyncIterator[tuple[str, str]]:
    async with http.stream("GET", f"{console.url}/events", headers=headers) as stream:
        event = ""
        async for line in stream.aiter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                yield event, line.split(":", 1)[1].strip()


async def test_an_agents_stream_carries_only_the_conversations_the_agent_may_see(sandbox: Sandbox) -> None:
    agent = sandbox.agent("agent", 0)
    assert sandbox.api("POST", "conversations/4/assignments", json={"assignee_id": agent["id"]}).status_code == 200
    with running_console(sandbox) as console:
        async with httpx2.AsyncClient(timeout=10) as http:
            await signed_in(http, console, agent["access_token"])
            seen: list[tuple[str, str]] = []
            with anyio.fail_after(15):
                stream = events(http, console)
                seen.append(await anext(stream))
                assert seen[0][0] == "ready"
                # A change to the bot's conversation 1 (not theirs), then to their conversation 4.
                note = {"content": "nota", "private": True}
                assert sandbox.api("POST", "conversations/1/messages", json=note).status_code == 200
                assert sandbox.api("POST", "conversations/4/messages", json=note).status_code == 200
                while len(seen) < 2:
                    name, data = await anext(stream)
                    if name == "changed":
                        seen.append((name, data))
                await stream.aclose()
            assert seen[1] == ("changed", "4")


async def test_a_reconnecting_page_is_told_to_re_read_at_once(sandbox: Sandbox) -> None:
    with running_console(sandbox) as console:
        async with httpx2.AsyncClient(timeout=10) as http:
            await signed_in(http, console, sandbox.admin_token)
            with anyio.fail_after(10):
                stream = events(http, console, **{"Last-Event-ID": "7"})
                assert (await anext(stream))[0] == "resync"
                await stream.aclose()


async def test_the_webhook_accepts_only_chatwoots_signature(sandbox: Sandbox) -> None:
    with running_console(sandbox) as console:
        hooks = sandbox.api("GET", "webhooks").json()["payload"]["webhooks"]
        mine = next(h for h in hooks if h["url"] == f"{console.url}/webhooks/chatwoot")
        assert {"message_created", "conversation_updated", "conversation_status_changed"} <= set(mine["subscriptions"])
        body = json.dumps({"event": "message_created", "conversation": {"id": 1, "status": "pending"}}).encode()
        url = f"{console.url}/webhooks/chatwoot"
        async with httpx2.AsyncClient(timeout=10) as http:
            now = str(int(time.time()))
            good = {
                "X-Chatwoot-Timestamp": now,
                "X-Chatwoot-Signature": sign(mine["secret"], now, body),
                "Content-Type": "application/json",
            }
            assert (await http.post(url, content=body, headers=good)).json()["status"] == "accepted"
            forged = good | {"X-Chatwoot-Signature": sign("not-the-secret", now, body)}
            refused = await http.post(url, content=body, headers=forged)
            assert refused.status_code == 401 and "signature mismatch" in refused.text
            unsigned = await http.post(url, content=body, headers={"Content-Type": "application/json"})
            assert unsigned.status_code == 401
            old = str(int(time.time()) - 3600)
            stale = good | {"X-Chatwoot-Timestamp": old, "X-Chatwoot-Signature": sign(mine["secret"], old, body)}
            assert (await http.post(url, content=body, headers=stale)).status_code == 401
            junk = b"not json"
            signed_junk = good | {"X-Chatwoot-Signature": sign(mine["secret"], now, junk)}
            assert (await http.post(url, content=junk, headers=signed_junk)).status_code == 400
            health = (await http.get(f"{console.url}/health")).json()
            assert health["status"] == "healthy" and health["webhook_verified"] is True


async def test_with_an_agents_token_the_console_says_what_to_configure_instead_of_registering(
    sandbox: Sandbox,
) -> None:
    with running_console(sandbox, CHATWOOT_API_KEY=sandbox.agent_token) as console:
        hooks = sandbox.api("GET", "webhooks").json()["payload"]["webhooks"]
        assert not [h for h in hooks if h["url"].startswith(console.url)]
        log = console.stderr()
        assert "não é de um administrador" in log and f"{console.url}/webhooks/chatwoot" in log
        assert sandbox.agent_token not in log
