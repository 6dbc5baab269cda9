"""No token appears in a client's repr, an exception's str or repr, or the client's log lines."""

from __future__ import annotations

import logging
import re

import pytest
from pydantic import SecretStr

from chatwoot_mcp.client import ChatwootClient, ChatwootError

from .helpers import SleepRecorder, fault, open_client

pytestmark = pytest.mark.anyio


async def test_no_token_leaks_into_reprs_errors_or_logs(sandbox, caplog, sleeps: SleepRecorder) -> None:
    caplog.set_level(logging.DEBUG, logger="chatwoot_mcp.client")
    fault(sandbox, "GET", r"/api/v1/accounts/1/conversations", 503, count=10)
    errors: list[ChatwootError] = []
    tokens = [sandbox.admin_token, sandbox.bot_token]
    for token in tokens:
        async with open_client(sandbox, token, sleep=sleeps, max_retries=1) as cw:
            assert token not in repr(cw)
            await cw.conversations.get(3)
            for call in (cw.conversations.list, lambda: cw.conversations.get(404), cw.profile.get):
                try:
                    await call()
                except ChatwootError as exc:
                    errors.append(exc)
            if token == sandbox.admin_token:
                bots = await cw.agent_bots.list()
                assert all(token not in repr(bot) and sandbox.bot_token not in repr(bot) for bot in bots)
                assert sandbox.admin_token not in repr(await cw.profile.get())
    assert len(errors) >= 4
    debug_lines = [r for r in caplog.records if r.name.startswith("chatwoot_mcp.client")]
    assert debug_lines, "the client logs one debug line per request"
    lines = [r.getMessage() for r in debug_lines]
    assert any(re.fullmatch(r"GET /api/v1/accounts/1/conversations/3 → 200 in \d+ms \(attempt 1\)", m) for m in lines)
    assert any(re.fullmatch(r"GET /api/v1/accounts/1/conversations → 503 in \d+ms \(attempt 2\)", m) for m in lines)
    for token in tokens:
        assert token not in caplog.text
        for error in errors:
            assert token not in str(error) and token not in repr(error)


async def test_a_secretstr_token_works_and_stays_hidden(sandbox) -> None:
    async with ChatwootClient(sandbox.base_url + "/", SecretStr(sandbox.admin_token), sandbox.account_id) as cw:
        profile = await cw.profile.get()
        assert sandbox.admin_token not in repr(cw)
    assert profile.id == sandbox.agent("administrator")["id"]
