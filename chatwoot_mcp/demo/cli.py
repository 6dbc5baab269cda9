"""`chatwoot-mcp demo` (`make demo`): sandbox, bot and console as subprocesses, the four handoff flows played
and checked; then, in a terminal (or with --keep-running), everything stays up until Ctrl-C."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio
import httpx2

from bot.records.commands import print_day_figures
from chatwoot_mcp.demo import texts
from chatwoot_mcp.demo.chatwoot import Chatwoot
from chatwoot_mcp.demo.flows import play
from chatwoot_mcp.demo.processes import (
    WEBHOOK_PATH,
    DemoFailed,
    Started,
    bot_environment,
    free_port,
    mirror_url,
    start_bot,
    start_console,
    start_sandbox,
)


def mcp_snippet(info: dict[str, Any]) -> str:
    command = str(Path(sys.executable).with_name("chatwoot-mcp"))
    config = {
        "mcpServers": {
            "chatwoot-sandbox": {
                "command": command,
                "env": {
                    "CHATWOOT_URL": info["base_url"],
                    "CHATWOOT_API_KEY": info["admin_token"],
                    "CHATWOOT_ACCOUNT_ID": str(info["account_id"]),
                },
            }
        }
    }
    return json.dumps(config, indent=2)


def sign_in_help(info: dict[str, Any], console_url: str) -> str:
    admin = next(a for a in info["agents"] if a["role"] == "administrator")
    agent = next(a for a in info["agents"] if a["role"] == "agent")
    return texts.CONSOLE_SIGN_IN.format(
        url=console_url, admin=admin["name"], admin_token=admin["access_token"], agent=agent["name"],
        agent_token=agent["access_token"], admin_email=admin["email"], admin_password=admin["password"],
        agent_email=agent["email"], agent_password=agent["password"],
    )  # fmt: skip


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def stays_up(args: argparse.Namespace, environ: dict[str, str]) -> bool:
    """In a terminal, outside CI, the demo keeps running for a person to try the console."""
    in_ci = environ.get("CI", "").lower() in {"1", "true", "yes"}
    return args.keep_running or (sys.stdin.isatty() and not in_ci)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chatwoot-mcp demo", description=texts.DESCRIPTION)
    parser.add_argument(
        "--keep-running",
        action="store_true",
        help="keep the sandbox, the bot and the console up until Ctrl-C (the default in a terminal)",
    )
    args = parser.parse_args(argv)
    # Before the MCP server's own basicConfig(INFO), so library request logs stay out of the transcript.
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(name)s %(levelname)s %(message)s")
    # SIGTERM takes the same way out as Ctrl-C, so the subprocesses are stopped either way (SIGINT is set
    # too because a shell starts background jobs with it ignored).
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    environ = dict(os.environ)
    keep = stays_up(args, environ)
    uses_openai = bool(environ.get("OPENAI_API_KEY", "").strip())
    out = sys.stdout
    started = Started()
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="chatwoot-demo-") as tmp:
        workdir = Path(tmp)
        try:
            info = start_sandbox(started, workdir)
            print(texts.SANDBOX_UP.format(url=info["base_url"]), file=out, flush=True)
            port = free_port()
            bot_url = f"http://127.0.0.1:{port}"

            async def prepare() -> None:
                async with httpx2.AsyncClient(timeout=10) as http:
                    chatwoot = Chatwoot(http, info)
                    await chatwoot.set_outgoing_url(info["agent_bot_id"], bot_url + WEBHOOK_PATH)

            anyio.run(prepare)
            env = bot_environment(info, port, workdir, environ)
            start_bot(started, env, workdir)
            responder = texts.RESPONDER_OPENAI if uses_openai else texts.RESPONDER_RULES
            print(texts.BOT_UP.format(url=bot_url, responder=responder), file=out, flush=True)
            console_url = start_console(started, info, workdir, environ)
            print(texts.CONSOLE_UP.format(url=console_url), file=out, flush=True)
            bot_name = environ.get("BOT_NAME", "").strip() or "BIA"
            timeout = 60.0 if uses_openai else 20.0
            records = mirror_url(workdir, environ)
            anyio.run(lambda: play(info, bot_url, out, mirror_url=records, reply_timeout=timeout, bot_name=bot_name))
            print(texts.ALL_OK.format(seconds=time.monotonic() - began), file=out, flush=True)
            print_day_figures(env, out=out)  # bot/records: today's handoff figures from the bot's mirror
            if keep:
                print(sign_in_help(info, console_url), file=out)
                print(texts.KEEP_RUNNING.format(url=info["base_url"]), file=out)
                print(mcp_snippet(info), file=out, flush=True)
                signal.pause()
            else:
                print(texts.HOW_TO_KEEP, file=out, flush=True)
            return 0
        except DemoFailed as exc:
            print(f"\n{texts.CHECK_FAILED} {texts.FAILED}: {exc}", file=sys.stderr)
            for name in ("bot", "console", "sandbox"):
                tail = started.tail(name)
                if tail:
                    print(f"--- {name} log (last lines) ---\n{tail}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 0 if keep else 130
        finally:
            started.stop()
