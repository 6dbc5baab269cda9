"""What one answer costs in Chatwoot requests: the batch reads the conversation once, and the send tool re-checks the
owner but does not read the messages again (the batch's read showed no earlier copy of the reply)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.harness import Chatwoot, Customer, bot_settings, eventually, running_bot
from tests.bot.responders import EchoResponder

pytestmark = pytest.mark.anyio


async def test_a_reply_reads_the_messages_once_and_posts_once(chatwoot: Chatwoot, tmp_path: Path) -> None:
    settings = bot_settings(chatwoot.sandbox, await chatwoot.bot_secret(), f"sqlite:///{tmp_path}/bot.sqlite3")
    async with running_bot(chatwoot, settings, responder=EchoResponder()) as app:
        customer = Customer(chatwoot)
        cid = await customer.start()
        await chatwoot.control("DELETE", "requests")
        await customer.say("Qual o prazo de entrega?")
        replies = await eventually(lambda: chatwoot.bot_replies(cid))
        await eventually(lambda: app.state.store.count_jobs("done"))
    assert [r["content"] for r in replies] == ["Você disse: Qual o prazo de entrega?"]
    base = f"/api/v1/accounts/{chatwoot.sandbox.account_id}/conversations/{cid}"
    # The customer writes through the public API; every request on these two paths is the bot's.
    made = [(r["method"], r["path"]) for r in await chatwoot.control("GET", "requests")]
    bot_calls = [call for call in made if call[1] in (base, f"{base}/messages")]
    assert sorted(bot_calls) == sorted(
        [("GET", base), ("GET", f"{base}/messages"), ("GET", base), ("POST", f"{base}/messages")]
    )
