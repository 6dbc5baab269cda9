"""`python -m bot.demo` end to end: sandbox and bot subprocesses, the four flows, checks, clean exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from bot import texts
from tests.fakes.openai_server import FakeOpenAI, handoff_or_echo

REPO = Path(__file__).resolve().parents[2]


def run_demo(env: dict[str, str]) -> tuple[int, str, str, set[int]]:
    """Run the demo; returns its exit code, stdout, stderr and the pids of the children seen while it ran."""
    proc = psutil.Popen(
        [sys.executable, "-m", "bot.demo"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    children: set[int] = set()
    try:
        while proc.poll() is None:
            children.update(child.pid for child in proc.children(recursive=True))
            try:
                out, err = proc.communicate(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                continue
        else:
            out, err = proc.communicate(timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
    return proc.returncode, out, err, children


def still_running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CHATWOOT_", "BOT_"))}


@pytest.mark.slow
def test_the_demo_plays_the_four_flows_with_the_rules_responder_and_stops_its_processes() -> None:
    code, out, err, children = run_demo(clean_environment())

    assert code == 0, f"demo failed:\n{out}\n{err}"
    for title in (texts.DEMO_FLOW_1, texts.DEMO_FLOW_2, texts.DEMO_FLOW_3, texts.DEMO_FLOW_4):
        assert title in out
    assert texts.DEMO_CHECK_FAILED not in out
    assert out.count(texts.DEMO_CHECK_OK) >= 10
    assert "regras offline" in out
    assert "Aceitamos Pix" in out  # the rules responder answered from the shipped FAQ after the return
    assert texts.HANDOFF_NOTICE in out
    assert len(children) >= 2  # the sandbox and the bot were seen running...
    assert not [pid for pid in children if still_running(pid)]  # ...and are gone


@pytest.mark.slow
def test_the_demo_uses_an_openai_compatible_server_when_a_key_is_set() -> None:
    with FakeOpenAI(default=handoff_or_echo) as fake:
        env = clean_environment() | {"OPENAI_API_KEY": "sk-demo-fake", "OPENAI_BASE_URL": fake.base_url}
        code, out, err, _ = run_demo(env)
        requests = fake.requests

    assert code == 0, f"demo failed:\n{out}\n{err}"
    assert "OpenAI (OPENAI_API_KEY definida)" in out
    assert "BIA responde: Obrigado! E quais são as formas de pagamento?" in out
    assert len(requests) == 3  # flows 1, 3 and 4; the human-owned turn of flow 2 never reached the model
    assert all(r.headers["authorization"] == "Bearer sk-demo-fake" for r in requests)
    assert "sk-demo-fake" not in out + err
