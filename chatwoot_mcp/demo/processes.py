"""The demo's subprocesses: the sandbox, the bot and the console, each started and stopped in order."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

WEBHOOK_PATH = "/webhooks/chatwoot"


class DemoFailed(Exception):
    """A step of a flow did not happen; the message says which."""


@dataclass
class Started:
    """The subprocesses this demo started, stopped in reverse order on exit."""

    processes: list[subprocess.Popen[str]] = field(default_factory=list)
    logs: dict[str, Path] = field(default_factory=dict)

    def stop(self) -> None:
        for proc in reversed(self.processes):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(self.processes):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        self.processes.clear()

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.logs.get(name)
        if path is None or not path.exists():
            return ""
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_sandbox(started: Started, workdir: Path) -> dict[str, Any]:
    """`python -m chatwoot_mcp.sandbox --port 0`; returns the JSON line it prints when ready."""
    return ready_line(started, "sandbox", [sys.executable, "-m", "chatwoot_mcp.sandbox", "--port", "0"], workdir)


def ready_line(
    started: Started, name: str, args: list[str], workdir: Path, env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Start `args` with its stderr in `<name>.log` and return the JSON line it prints on stdout when ready."""
    log_path = workdir / f"{name}.log"
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, env=env, text=True)
    started.processes.append(proc)
    started.logs[name] = log_path
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise DemoFailed(f"the {name} did not start:\n{started.tail(name)}")
    return dict(json.loads(line))


def mirror_url(workdir: Path, environ: Mapping[str, str]) -> str:
    """The demo's handoff records (MIRROR_DATABASE_URL, else a file in the work folder), shared by the bot and the
    demo's own tool sessions, so the tools' reasons land beside the bot's records."""
    return environ.get("MIRROR_DATABASE_URL", "").strip() or f"sqlite:///{workdir / 'mirror.sqlite3'}"


def bot_environment(info: dict[str, Any], port: int, workdir: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """The bot's environment: the sandbox's Chatwoot, a fresh store, the demo's mirror, OpenAI only when the
    caller set a key."""
    credentials = workdir / "credentials.toml"
    credentials.write_text("# empty: the demo bot must not read real credentials\n", encoding="utf-8")
    team = next((t["id"] for t in info.get("teams", []) if t.get("name") == "Humanos"), None)
    env = {k: v for k, v in environ.items() if not k.startswith(("CHATWOOT_", "BOT_", "OPENAI_"))}
    env.update(
        {
            "CHATWOOT_URL": info["base_url"],
            "CHATWOOT_API_KEY": info["admin_token"],
            "CHATWOOT_ACCOUNT_ID": str(info["account_id"]),
            "CHATWOOT_BOT_TOKEN": info["bot_token"],
            "MIRROR_DATABASE_URL": mirror_url(workdir, environ),
            "CHATWOOT_CREDENTIALS_FILE": str(credentials),
            "BOT_HOST": "127.0.0.1",
            "BOT_PORT": str(port),
            "BOT_DATABASE_URL": f"sqlite:///{workdir / 'bot.sqlite3'}",
            "BOT_DEBOUNCE_SECONDS": "0.5",
            "BOT_AGENT_BOT_ID": str(info["agent_bot_id"]),
        }
    )
    if team is not None:
        env["CHATWOOT_HUMAN_TEAM_ID"] = str(team)
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "BOT_NAME"):
        if environ.get(name, "").strip():
            env[name] = environ[name]
    return env


def start_bot(started: Started, env: dict[str, str], workdir: Path) -> str:
    """`python -m bot` with `env`; returns its base URL once /health answers."""
    log_path = workdir / "bot.log"
    log = log_path.open("w", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot"], stdout=log, stderr=log, stdin=subprocess.DEVNULL, env=env, text=True
    )
    log.close()
    started.processes.append(proc)
    started.logs["bot"] = log_path
    url = f"http://{env['BOT_HOST']}:{env['BOT_PORT']}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise DemoFailed(f"the bot exited with code {proc.returncode}:\n{started.tail('bot')}")
        try:
            if httpx2.get(f"{url}/health", timeout=1).status_code == 200:
                return url
        except httpx2.TransportError:
            pass
        time.sleep(0.1)  # polling a process that is starting; there is nothing to wait on instead
    raise DemoFailed(f"the bot did not become healthy within 30 s:\n{started.tail('bot')}")


def start_console(started: Started, info: dict[str, Any], workdir: Path, environ: Mapping[str, str]) -> str:
    """`python -m chatwoot_mcp.console --port 0` against the sandbox; returns its URL from the ready line."""
    env = {k: v for k, v in environ.items() if not k.startswith(("CHATWOOT_", "CONSOLE_", "BOT_", "OPENAI_"))}
    env.update(
        {
            "CHATWOOT_URL": info["base_url"],
            "CHATWOOT_API_KEY": info["admin_token"],
            "CHATWOOT_ACCOUNT_ID": str(info["account_id"]),
            "CHATWOOT_CREDENTIALS_FILE": str(workdir / "credentials.toml"),
            "CONSOLE_AGENTS_SEE_QUEUE": "true",
            # The bot's records, for the console's figures page.
            "MIRROR_DATABASE_URL": mirror_url(workdir, environ),
        }
    )
    if environ.get("BOT_NAME", "").strip():
        env["BOT_NAME"] = environ["BOT_NAME"]
    args = [sys.executable, "-m", "chatwoot_mcp.console", "--port", "0"]
    return str(ready_line(started, "console", args, workdir, env)["url"])
