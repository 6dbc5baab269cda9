"""`chatwoot-mcp demo` end to end: sandbox, bot and console subprocesses, the four flows, checks, clean exit."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import psutil
import pytest

from bot import texts as bot_texts
from chatwoot_mcp.demo import texts
from chatwoot_mcp.records import texts as records_texts
from tests.fakes.openai_server import FakeOpenAI, handoff_or_echo

REPO = Path(__file__).resolve().parents[2]
DEMO_DEADLINE = 90.0


@contextmanager
def running_demo(env: dict[str, str], *args: str) -> Iterator[psutil.Popen]:
    proc = psutil.Popen(
        [sys.executable, "-m", "chatwoot_mcp.demo", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    # A hung demo must not hang the suite: it is killed past the deadline (the asserts then report it).
    watchdog = threading.Timer(DEMO_DEADLINE, proc.send_signal, args=(signal.SIGKILL,))
    watchdog.daemon = True
    watchdog.start()
    try:
        yield proc
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=5)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def still_running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CHATWOOT_", "BOT_"))}


@pytest.mark.slow
def test_the_demo_plays_the_four_flows_keeps_the_console_running_and_stops_its_processes_on_ctrl_c() -> None:
    lines: list[str] = []
    snippet: list[str] = []
    with running_demo(clean_environment(), "--keep-running") as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("{") or snippet:
                snippet.append(line)
            if line.rstrip() == "}":  # the end of the printed mcp.json snippet: the demo now waits for Ctrl-C
                break
        children = [child.pid for child in proc.children(recursive=True)]
        config = json.loads("".join(snippet)) if snippet else {}
        server = config.get("mcpServers", {}).get("chatwoot-sandbox", {})
        sandbox_url = server.get("env", {}).get("CHATWOOT_URL", "")
        sandbox_alive = bool(sandbox_url) and httpx2.get(f"{sandbox_url}/_sandbox/deliveries", timeout=5).is_success
        console_url = next(
            (
                line.split(": ", 1)[1].strip()
                for line in lines
                if line.startswith("Central de atendimento (handoff console): ")
            ),
            "",
        )
        console_health = httpx2.get(f"{console_url}/health", timeout=5).json() if console_url else {}
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=30)
    out = "".join(lines) + rest

    assert proc.returncode == 0, f"demo failed:\n{out}\n{err}"
    for title in (texts.FLOW_1, texts.FLOW_2, texts.FLOW_3, texts.FLOW_4):
        assert title in out
    assert texts.CHECK_FAILED not in out
    assert out.count(texts.CHECK_OK) >= 10
    assert "regras offline" in out
    # The demo's tool sessions share the bot's mirror: the take-over and the return carry the tools' triggers.
    for trigger in ("take_over", "return_to_bot"):
        name = records_texts.TRIGGER_NAMES[trigger]
        assert f"{texts.CHECK_OK} {texts.RECORDED.format(name=name, trigger=trigger)}" in out
    figures = out[out.index(records_texts.DAY_FIGURES_TITLE) :]
    assert f"{records_texts.TRIGGER_NAMES['take_over']}: 1" in figures
    assert records_texts.TRIGGER_NAMES["chatwoot_assigned"] not in figures
    assert "Aceitamos Pix" in out  # the rules responder answered from the shipped FAQ after the return
    assert bot_texts.HANDOFF_NOTICE in out
    assert server["command"].endswith("chatwoot-mcp") and server["env"]["CHATWOOT_ACCOUNT_ID"] == "1"
    assert sandbox_alive  # --keep-running left the sandbox serving for an MCP client...
    assert console_health.get("status") == "healthy" and console_health.get("webhook_verified") is True
    admin_token = server["env"]["CHATWOOT_API_KEY"]
    assert f"com o token: {admin_token}" in out  # how to sign in as the administrator...
    assert out.count("com o token: ") == 2  # ...and as an agent
    assert out.count("ou com e-mail e senha: ") == 2 and f"{console_url}/stats" in out
    assert len(children) >= 3
    assert not [pid for pid in children if still_running(pid)]  # ...and Ctrl-C stopped it and the bot


@pytest.mark.slow
def test_the_demo_uses_an_openai_compatible_server_when_a_key_is_set() -> None:
    with FakeOpenAI(default=handoff_or_echo) as fake:
        env = clean_environment() | {"OPENAI_API_KEY": "sk-demo-fake", "OPENAI_BASE_URL": fake.base_url}
        with running_demo(env) as proc:
            out, err = proc.communicate(timeout=DEMO_DEADLINE + 5)
        requests = fake.requests

    assert proc.returncode == 0, f"demo failed:\n{out}\n{err}"
    assert "OpenAI (OPENAI_API_KEY definida)" in out
    assert "BIA responde: Obrigado! E quais são as formas de pagamento?" in out
    assert len(requests) == 3  # flows 1, 3 and 4; the human-owned turn of flow 2 never reached the model
    assert all(r.headers["authorization"] == "Bearer sk-demo-fake" for r in requests)
    assert "sk-demo-fake" not in out + err
    assert "com o token: " not in out  # without a terminal it exits after its checks
