"""A mirror database that cannot be reached delays no reply: the bot answers, the records wait in memory, and
they are written once the database is back."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest
from pydantic import SecretStr

from chatwoot_mcp.records.mirror_sqlite import SQLiteMirror
from tests.bot.harness import Chatwoot, Customer, bot_settings, eventually, running_bot
from tests.conftest import Sandbox

pytestmark = pytest.mark.anyio


async def test_the_bot_answers_while_the_mirror_is_down_and_the_records_follow(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    blocked = tmp_path / "mirror-dir"
    blocked.write_text("a file where the mirror's directory should be")  # opening the database fails (OSError)
    settings = bot_settings(sandbox, None, f"sqlite:///{tmp_path}/bot.sqlite3")
    settings = settings.model_copy(
        update={"chatwoot": settings.chatwoot.model_copy(
            update={"mirror_database_url": SecretStr(f"sqlite:///{blocked}/mirror.sqlite3")})}
    )  # fmt: skip
    async with httpx2.AsyncClient(timeout=10) as http:
        chatwoot = Chatwoot(sandbox, http)
        async with running_bot(chatwoot, settings) as app:
            recorder = app.state.records.recorder
            customer = Customer(chatwoot)
            cid = await customer.start()
            await customer.say("Oi, bom dia")
            replies = await eventually(lambda: chatwoot.bot_replies(cid), timeout=15)
            assert replies and recorder.written == 0 and recorder.waiting > 0
            health = await http.get(f"http://127.0.0.1:{settings.port}/health")
            assert health.status_code == 200
            blocked.unlink()
            blocked.mkdir()

            async def written() -> bool | None:
                return (recorder.written > 0 and recorder.waiting == 0) or None

            await eventually(written, timeout=20)
        mirror = SQLiteMirror(blocked / "mirror.sqlite3")
        try:
            counts = await mirror.message_counts(0, 2**40)
            assert counts.get("customer") == 1 and counts.get("ai", 0) >= 1
            assert any(s.kind == "send" and s.ok for s in await mirror.samples(0, 2**40))
        finally:
            await mirror.close()
