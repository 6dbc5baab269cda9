"""`python -m bot` killed with SIGKILL before, during and after answering: after a restart, one reply each."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest

from bot.store.base import Job
from bot.store.sqlite import SQLiteStore
from tests.bot.harness import Chatwoot, Customer, eventually, free_port
from tests.conftest import REPO, Sandbox

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

TOGGLE_STATUS = r"/api/v1/accounts/\d+/conversations/\d+/toggle_status"


def bot_env(sandbox: Sandbox, secret: str, port: int, db: Path, debounce: float) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CHATWOOT_", "BOT_", "OPENAI_"))}
    env.update(
        CHATWOOT_URL=sandbox.base_url,
        CHATWOOT_API_TOKEN=sandbox.admin_token,
        CHATWOOT_ACCOUNT_ID=str(sandbox.account_id),
        CHATWOOT_BOT_TOKEN=sandbox.bot_token,
        CHATWOOT_WEBHOOK_SECRET=secret,
        BOT_PORT=str(port),
        BOT_DATABASE_URL=f"sqlite:///{db}",
        BOT_DEBOUNCE_SECONDS=str(debounce),
        TEST_RESPONDER="echo",
        PYTHONPATH=str(REPO),
    )
    return env


@contextmanager
def bot_process(env: dict[str, str], workdir: Path, log_name: str) -> Iterator[subprocess.Popen[bytes]]:
    with (workdir / log_name).open("wb") as log:
        # With a test responder, the command is started through the tests' launcher, which injects it.
        module = "tests.bot.launcher" if "TEST_RESPONDER" in env else "bot"
        proc = subprocess.Popen(
            [sys.executable, "-m", module], env=env, cwd=workdir, stdout=log, stderr=log, stdin=subprocess.DEVNULL
        )
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)


async def wait_healthy(chatwoot: Chatwoot, port: int, proc: subprocess.Popen[bytes]) -> dict[str, object]:
    async def probe() -> dict[str, object] | None:
        assert proc.poll() is None, "the bot exited during start-up"
        try:
            response = await chatwoot.http.get(f"http://127.0.0.1:{port}/health")
        except httpx2.TransportError:
            return None
        return response.json() if response.status_code == 200 else None

    return await eventually(probe, timeout=20)


async def test_every_accepted_message_is_answered_exactly_once_across_a_kill_9(
    chatwoot: Chatwoot, tmp_path: Path
) -> None:
    sandbox = chatwoot.sandbox
    secret = await chatwoot.bot_secret()
    port = free_port()
    db = tmp_path / "bot.sqlite3"
    # A long debounce holds the work back: the webhooks are acked and stored, nothing is answered yet.
    with bot_process(bot_env(sandbox, secret, port, db, debounce=60), tmp_path, "first.log") as first:
        health = await wait_healthy(chatwoot, port, first)
        assert health["responder"] == "echo"
        await chatwoot.point_bot_at(f"http://127.0.0.1:{port}/webhooks/chatwoot")
        plain, posted = Customer(chatwoot, name="Ana"), Customer(chatwoot, name="Bia")
        plain_id, posted_id = await plain.start(), await posted.start()
        plain_msg = await plain.say("Meu pedido atrasou")
        posted_msg = await posted.say("Quero trocar o produto")
        await eventually(lambda: chatwoot.delivered(plain_id, plain_msg))
        await eventually(lambda: chatwoot.delivered(posted_id, posted_msg))
        statuses = {d["status"] for d in await chatwoot.deliveries(event="message_created")}
        assert statuses == {200}
        await eventually(chatwoot.deliveries_settled)
        first.kill()
        first.wait(timeout=10)
    assert await chatwoot.bot_replies(plain_id) == []
    # The second conversation's reply went out just before the crash, but was never marked done. (Delivered to
    # nobody: a failed bot delivery would make Chatwoot open the conversation, which is not this test's point.)
    await chatwoot.point_bot_at("")
    response = await chatwoot.api(
        "POST",
        f"conversations/{posted_id}/messages",
        token=sandbox.bot_token,
        json={"content": "Você disse: Quero trocar o produto", "source_id": f"bot:{posted_msg}"},
    )
    assert response.status_code == 200

    with bot_process(bot_env(sandbox, secret, port, db, debounce=0.1), tmp_path, "second.log") as second:
        await wait_healthy(chatwoot, port, second)
        await chatwoot.point_bot_at(f"http://127.0.0.1:{port}/webhooks/chatwoot")
        await eventually(lambda: chatwoot.bot_replies(plain_id))
        await eventually(lambda: drained(chatwoot, port))
        # Business as usual after the restart.
        await plain.say("Alguma novidade?")
        await eventually(lambda: _count(chatwoot, plain_id, 2))
        await eventually(lambda: drained(chatwoot, port))
        await eventually(chatwoot.deliveries_settled)
    replies = await chatwoot.bot_replies(plain_id)
    assert [r["content"] for r in replies] == ["Você disse: Meu pedido atrasou", "Você disse: Alguma novidade?"]
    assert [r["source_id"] for r in await chatwoot.bot_replies(posted_id)] == [f"bot:{posted_msg}"]
    log = (tmp_path / "second.log").read_text()
    # The reply found in the conversation covers the job: it is closed without asking or posting again.
    assert '"jobs_resumed"' in log and '"reply_covered"' in log
    # Ids in the logs, never what the customer wrote (BOT_LOG_CONTENT is off).
    logs = log + (tmp_path / "first.log").read_text()
    logged_ids = {json.loads(line).get("message_id") for line in logs.splitlines() if line.startswith("{")}
    assert plain_msg in logged_ids
    assert "pedido atrasou" not in logs and "trocar o produto" not in logs and secret not in logs


async def stored_work(db: Path, key: str) -> tuple[list[Job], dict[str, object] | None]:
    """The killed bot's pending jobs and the outcome under `key`; opening the file also proves the lock is gone."""
    store = SQLiteStore(db)
    await store.start()
    try:
        return await store.pending_jobs(), await store.get_outcome(key)
    finally:
        await store.close()


async def drained(chatwoot: Chatwoot, port: int) -> bool:
    response = await chatwoot.http.get(f"http://127.0.0.1:{port}/health")
    return response.json()["pending_jobs"] == 0


async def test_a_bot_killed_while_the_responder_runs_answers_once_after_the_restart(
    chatwoot: Chatwoot, tmp_path: Path
) -> None:
    secret, port, db = await chatwoot.bot_secret(), free_port(), tmp_path / "bot.sqlite3"
    marker = tmp_path / "responder-called"
    env = bot_env(chatwoot.sandbox, secret, port, db, debounce=0.1)
    env |= {"TEST_RESPONDER": "stuck", "TEST_MARKER": str(marker)}
    with bot_process(env, tmp_path, "first.log") as first:
        assert (await wait_healthy(chatwoot, port, first))["responder"] == "stuck"
        await chatwoot.point_bot_at(f"http://127.0.0.1:{port}/webhooks/chatwoot")
        customer = Customer(chatwoot)
        cid = await customer.start()
        asked = await customer.say("Meu pedido atrasou")
        await eventually(lambda: _exists(marker), timeout=20)
        # A delivery failing because the bot is gone would make the sandbox open the conversation.
        await eventually(chatwoot.deliveries_settled)
        first.kill()
        first.wait(timeout=10)
    jobs, outcome = await stored_work(db, "batch:1")  # the answer of the batch whose oldest job is job 1
    assert [(job.message_id, job.attempts) for job in jobs] == [(asked, 0)] and outcome is None
    assert await chatwoot.bot_replies(cid) == []

    with bot_process(bot_env(chatwoot.sandbox, secret, port, db, debounce=0.1), tmp_path, "second.log") as second:
        await wait_healthy(chatwoot, port, second)
        await eventually(lambda: chatwoot.bot_replies(cid))
        await eventually(lambda: drained(chatwoot, port))
        await eventually(chatwoot.deliveries_settled)
        await chatwoot.point_bot_at("")
    replies = await chatwoot.bot_replies(cid)
    assert [(r["content"], r["source_id"]) for r in replies] == [("Você disse: Meu pedido atrasou", f"bot:{asked}")]
    assert (await chatwoot.conversation(cid))["status"] == "pending"
    assert '"jobs_resumed"' in (tmp_path / "second.log").read_text()


async def test_a_bot_killed_after_posting_but_before_marking_done_finishes_the_handoff_without_repeating(
    chatwoot: Chatwoot, tmp_path: Path
) -> None:
    secret, port, db = await chatwoot.bot_secret(), free_port(), tmp_path / "bot.sqlite3"
    env = bot_env(chatwoot.sandbox, secret, port, db, debounce=0.1) | {"TEST_RESPONDER": "handoff"}
    # The handoff's status change hangs (then fails): the reply and the note are out, the job is not done.
    fault = {"method": "POST", "path": TOGGLE_STATUS, "status": 500, "delay": 12, "count": 1}
    await chatwoot.control("POST", "faults", json=fault)
    await chatwoot.control("DELETE", "requests")
    with bot_process(env, tmp_path, "first.log") as first:
        await wait_healthy(chatwoot, port, first)
        await chatwoot.point_bot_at(f"http://127.0.0.1:{port}/webhooks/chatwoot")
        customer = Customer(chatwoot)
        cid = await customer.start()
        asked = await customer.say("Quero falar com uma pessoa")
        await eventually(lambda: _requested(chatwoot, "POST", TOGGLE_STATUS), timeout=20)
        await eventually(chatwoot.deliveries_settled)
        first.kill()
        first.wait(timeout=10)
    key = f"bot:{asked}"
    jobs, outcome = await stored_work(db, "batch:1")
    assert [(job.message_id, job.attempts) for job in jobs] == [(asked, 0)]
    assert outcome is not None and outcome["handoff_reason"] == "teste de queda"
    assert [r["source_id"] for r in await chatwoot.bot_replies(cid)] == [key]
    assert (await chatwoot.conversation(cid))["status"] == "pending"

    # Asked again, this responder would only echo and never hand off: the stored answer must be finished instead.
    with bot_process(bot_env(chatwoot.sandbox, secret, port, db, debounce=0.1), tmp_path, "second.log") as second:
        await wait_healthy(chatwoot, port, second)
        await eventually(lambda: drained(chatwoot, port))
        await eventually(chatwoot.deliveries_settled)
        await chatwoot.point_bot_at("")
    conversation = await chatwoot.conversation(cid)
    assert conversation["status"] == "open"
    replies = await chatwoot.bot_replies(cid)
    assert [(r["content"], r["source_id"]) for r in replies] == [("Vou te transferir para um atendente.", key)]
    assert [n["source_id"] for n in await chatwoot.private_notes(cid)] == [f"{key}:handoff"]
    log = (tmp_path / "second.log").read_text()
    assert '"outcome_reused"' in log and '"reply_already_posted"' in log


async def _exists(path: Path) -> bool:
    return path.exists()


async def _requested(chatwoot: Chatwoot, method: str, path: str) -> bool:
    pattern = re.compile(path)
    requests = await chatwoot.control("GET", "requests")
    return any(r["method"] == method and pattern.fullmatch(r["path"]) for r in requests)


async def test_the_command_names_the_responder_and_warns_when_webhooks_are_unsigned(
    chatwoot: Chatwoot, tmp_path: Path
) -> None:
    port = free_port()
    env = bot_env(chatwoot.sandbox, "", port, tmp_path / "bot.sqlite3", debounce=0.1)
    del env["CHATWOOT_WEBHOOK_SECRET"], env["TEST_RESPONDER"]
    with bot_process(env, tmp_path, "unsigned.log") as proc:
        health = await wait_healthy(chatwoot, port, proc)
    log = (tmp_path / "unsigned.log").read_text()
    assert '"bot_stopped"' in log  # SIGTERM shut it down in order
    assert "Respondedor: regras offline" in log and health["responder"] != "echo"
    assert '"webhooks_not_verified"' in log and "CHATWOOT_WEBHOOK_SECRET" in log
    assert chatwoot.sandbox.admin_token not in log


def test_the_command_refuses_to_start_without_chatwoot_settings(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CHATWOOT_", "BOT_"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "CHATWOOT_URL" in result.stderr and "CHATWOOT_ACCOUNT_ID" in result.stderr
    env["BOT_PORT"] = "not-a-port"
    env |= {"CHATWOOT_URL": "http://127.0.0.1:9", "CHATWOOT_API_TOKEN": "t", "CHATWOOT_ACCOUNT_ID": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "bot"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "BOT_PORT" in result.stderr and "not-a-port" not in result.stderr


async def _count(chatwoot: Chatwoot, cid: int, count: int) -> bool:
    return len(await chatwoot.bot_replies(cid)) == count
