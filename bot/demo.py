"""`python -m bot.demo` (`make demo`): sandbox + bot as subprocesses, the four handoff flows played through the
MCP tools with a transcript, each step checked in the sandbox's state; exits non-zero when one did not happen."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypeVar

import anyio
import httpx2

from bot import texts
from bot.records.commands import print_day_figures
from chatwoot_mcp.config import Settings
from chatwoot_mcp.server.session import open_tool_session

T = TypeVar("T")

OUTGOING = 1  # Chatwoot's REST message_type for outgoing messages
INCOMING = 0
WEBHOOK_PATH = "/webhooks/chatwoot"


class DemoFailed(Exception):
    """A step of a flow did not happen; the message says which."""


# -- processes ---------------------------------------------------------------------------------------------


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
    log_path = workdir / "sandbox.log"
    log = log_path.open("w", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatwoot_mcp.sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=log,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    log.close()
    started.processes.append(proc)
    started.logs["sandbox"] = log_path
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise DemoFailed(f"the sandbox did not start:\n{started.tail('sandbox')}")
    return dict(json.loads(line))


def bot_environment(info: dict[str, Any], port: int, workdir: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """The bot's environment: the sandbox's Chatwoot, a fresh store, OpenAI only when the caller set a key."""
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


# -- talking to the sandbox ------------------------------------------------------------------------------


async def wait_until(check: Callable[[], Awaitable[T | None]], *, timeout: float, what: str) -> T:
    """Poll `check` until it returns something other than None (or False), or fail after `timeout` s."""
    try:
        with anyio.fail_after(timeout):
            while True:
                found = await check()
                if found is not None and found is not False:
                    return found
                await anyio.sleep(0.05)
    except TimeoutError:
        raise DemoFailed(f"timed out after {timeout:g} s waiting for: {what}") from None


class Chatwoot:
    """Reads of the sandbox's state through its Chatwoot REST API (as the administrator) and control API."""

    def __init__(self, http: httpx2.AsyncClient, info: dict[str, Any]) -> None:
        self.http = http
        self.base_url = info["base_url"]
        self.account_id = info["account_id"]
        self.headers = {"api_access_token": info["admin_token"]}

    async def _get(self, path: str) -> Any:
        url = f"{self.base_url}/api/v1/accounts/{self.account_id}/{path}"
        response = await self.http.get(url, headers=self.headers)
        response.raise_for_status()
        return response.json()

    async def conversation(self, conversation_id: int) -> dict[str, Any]:
        return dict(await self._get(f"conversations/{conversation_id}"))

    async def messages(self, conversation_id: int) -> list[dict[str, Any]]:
        return list((await self._get(f"conversations/{conversation_id}/messages"))["payload"])

    async def set_outgoing_url(self, bot_id: int, url: str | None) -> None:
        response = await self.http.patch(
            f"{self.base_url}/api/v1/accounts/{self.account_id}/agent_bots/{bot_id}",
            headers=self.headers,
            json={"outgoing_url": url},
        )
        response.raise_for_status()

    async def agent_bot_secret(self, bot_id: int) -> str | None:
        bot = await self._get(f"agent_bots/{bot_id}")
        return bot.get("secret") or None

    async def deliveries(self) -> list[dict[str, Any]]:
        response = await self.http.get(f"{self.base_url}/_sandbox/deliveries")
        response.raise_for_status()
        return list(response.json())

    async def bot_replies_after(self, conversation_id: int, message_id: int) -> list[dict[str, Any]]:
        """Customer-visible messages the AgentBot posted after message `message_id`."""
        return [
            m
            for m in await self.messages(conversation_id)
            if m["id"] > message_id and m["message_type"] == OUTGOING and not m.get("private")
            and (m.get("sender") or {}).get("type") == "agent_bot"
        ]

    async def notices(self, conversation_id: int) -> list[str]:
        """Customer-visible messages sent by people (users), such as the take-over and hand-back notices."""
        return [
            m.get("content") or ""
            for m in await self.messages(conversation_id)
            if m["message_type"] == OUTGOING and not m.get("private") and (m.get("sender") or {}).get("type") == "user"
        ]

    async def private_notes(self, conversation_id: int) -> list[str]:
        return [m.get("content") or "" for m in await self.messages(conversation_id) if m.get("private")]


class Customer:
    """A customer writing through the public client API of an API inbox, as a channel would."""

    def __init__(self, http: httpx2.AsyncClient, base_url: str, inbox_identifier: str, name: str) -> None:
        self.http = http
        self.root = f"{base_url}/public/api/v1/inboxes/{inbox_identifier}"
        self.name = name
        self.contact: str | None = None
        self.conversation_id: int | None = None

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.post(f"{self.root}{path}", json=body)
        response.raise_for_status()
        return dict(response.json())

    async def start(self) -> int:
        contact = await self._post("/contacts", {"name": self.name})
        self.contact = str(contact["source_id"])
        conversation = await self._post(f"/contacts/{self.contact}/conversations", {})
        self.conversation_id = int(conversation["id"])
        return self.conversation_id

    async def say(self, text: str) -> int:
        """Send a message; returns its id."""
        if self.conversation_id is None:
            await self.start()
        message = await self._post(
            f"/contacts/{self.contact}/conversations/{self.conversation_id}/messages", {"content": text}
        )
        return int(message["id"])


# -- the flows ---------------------------------------------------------------------------------------------


class Transcript:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def title(self, text: str) -> None:
        print(f"\n== {text}", file=self.out, flush=True)

    def line(self, who: str, text: str) -> None:
        body = text.replace("\n", "\n" + " " * (len(who) + 4))
        print(f"  {who}: {body}", file=self.out, flush=True)

    def check(self, ok: bool, what: str) -> None:
        mark = texts.DEMO_CHECK_OK if ok else texts.DEMO_CHECK_FAILED
        print(f"    {mark} {what}", file=self.out, flush=True)
        if not ok:
            raise DemoFailed(what)


@dataclass
class Demo:
    """Everything the flows need: the sandbox state, its tools, and where to print."""

    info: dict[str, Any]
    bot_url: str
    chatwoot: Chatwoot
    http: httpx2.AsyncClient
    transcript: Transcript
    reply_timeout: float = 20.0
    bot_name: str = "BIA"

    def customer(self, name: str, inbox: str = "WhatsApp") -> Customer:
        identifier = next(i["inbox_identifier"] for i in self.info["inboxes"] if i["name"] == inbox)
        return Customer(self.http, self.info["base_url"], identifier, name)

    def admin_settings(self) -> Settings:
        return Settings(
            chatwoot_url=self.info["base_url"],
            api_token=self.info["admin_token"],
            account_id=self.info["account_id"],
            bot_name=self.bot_name,
        )

    async def customer_says(self, customer: Customer, text: str) -> int:
        self.transcript.line(f"{texts.DEMO_CUSTOMER} ({customer.name})", text)
        return await customer.say(text)

    async def bot_answer(self, conversation_id: int, after: int) -> str:
        async def found() -> list[dict[str, Any]] | None:
            replies = await self.chatwoot.bot_replies_after(conversation_id, after)
            return replies or None

        what = f"the bot's answer in conversation {conversation_id}"
        replies = await wait_until(found, timeout=self.reply_timeout, what=what)
        text = replies[0].get("content") or ""
        self.transcript.line(texts.DEMO_BOT, text)
        return text

    async def bot_done_with(self, message_id: int) -> None:
        """The bot acknowledged the webhook for `message_id` and has no job left: it decided."""
        target = self.bot_url + WEBHOOK_PATH

        async def delivered() -> bool:
            return any(
                d.get("message_id") == message_id and d.get("url") == target and d.get("status") == 200
                for d in await self.chatwoot.deliveries()
            )

        async def idle() -> bool:
            response = await self.http.get(f"{self.bot_url}/health")
            return response.status_code == 200 and response.json().get("pending_jobs") == 0

        await wait_until(delivered, timeout=self.reply_timeout, what=f"the bot to receive message {message_id}")
        await wait_until(idle, timeout=self.reply_timeout, what="the bot to finish its work")


async def flow_bot_answers(demo: Demo, customer: Customer) -> None:
    t = demo.transcript
    t.title(texts.DEMO_FLOW_1)
    conversation_id = await customer.start()
    first = await demo.customer_says(customer, "Oi, tudo bem? Qual é o horário de atendimento?")
    await demo.bot_answer(conversation_id, first)
    conversation = await demo.chatwoot.conversation(conversation_id)
    t.check(conversation["status"] == "pending", f"conversa {conversation_id} continua com o bot (status pending)")


async def flow_human_takes_over(demo: Demo, customer: Customer) -> None:
    t = demo.transcript
    t.title(texts.DEMO_FLOW_2)
    assert customer.conversation_id is not None
    conversation_id = customer.conversation_id
    admin = next(a for a in demo.info["agents"] if a["role"] == "administrator")
    async with open_tool_session(demo.admin_settings()) as tools:
        t.line(texts.DEMO_ADMIN, f"chatwoot_take_over(conversation_id={conversation_id})")
        result = await tools.call("chatwoot_take_over", conversation_id=conversation_id)
        conversation = await demo.chatwoot.conversation(conversation_id)
        assignee = conversation["meta"].get("assignee") or {}
        t.check(
            conversation["status"] == "open" and assignee.get("id") == admin["id"],
            f"conversa aberta e atribuída a {admin['name']} (status {conversation['status']})",
        )
        notices = await demo.chatwoot.notices(conversation_id)
        if notices:
            t.line(texts.DEMO_SYSTEM, notices[-1])
        t.check(bool(result.get("notified")) and bool(notices), "cliente avisado de que uma pessoa assumiu")

        asked = await demo.customer_says(customer, "Preciso mudar o endereço de entrega do meu pedido.")
        await demo.bot_done_with(asked)
        silent = not await demo.chatwoot.bot_replies_after(conversation_id, asked)
        t.check(silent, "o bot ficou em silêncio")

        answer = "Claro! Já atualizei o endereço do seu pedido."
        t.line(texts.DEMO_ADMIN, answer)
        await tools.call("chatwoot_send_message", conversation_id=conversation_id, content=answer)
        contents = [m.get("content") for m in await demo.chatwoot.messages(conversation_id)]
        t.check(answer in contents, "a resposta do admin está na conversa")


async def flow_back_to_bot(demo: Demo, customer: Customer) -> None:
    t = demo.transcript
    t.title(texts.DEMO_FLOW_3)
    assert customer.conversation_id is not None
    conversation_id = customer.conversation_id
    async with open_tool_session(demo.admin_settings()) as tools:
        t.line(texts.DEMO_ADMIN, f"chatwoot_return_to_bot(conversation_id={conversation_id})")
        result = await tools.call("chatwoot_return_to_bot", conversation_id=conversation_id)
    notices = await demo.chatwoot.notices(conversation_id)
    if notices:
        t.line(texts.DEMO_SYSTEM, notices[-1])
    notified = bool(result.get("notified")) and bool(notices) and demo.bot_name in notices[-1]
    t.check(notified, "cliente avisado de que o bot voltou")
    conversation = await demo.chatwoot.conversation(conversation_id)
    t.check(
        conversation["status"] == "pending" and not conversation["meta"].get("assignee"),
        f"conversa de volta com o bot (status {conversation['status']}, sem atendente)",
    )
    asked = await demo.customer_says(customer, "Obrigado! E quais são as formas de pagamento?")
    answer = await demo.bot_answer(conversation_id, asked)
    conversation = await demo.chatwoot.conversation(conversation_id)
    t.check(
        answer != texts.HANDOFF_NOTICE and conversation["status"] == "pending",
        "o bot voltou a responder e a conversa segue com ele",
    )


async def flow_bot_hands_off(demo: Demo, customer: Customer, team_id: int | None) -> None:
    t = demo.transcript
    t.title(texts.DEMO_FLOW_4)
    conversation_id = await customer.start()
    asked = await demo.customer_says(customer, "Quero falar com uma pessoa, por favor.")

    async def opened() -> dict[str, Any] | None:
        conversation = await demo.chatwoot.conversation(conversation_id)
        return conversation if conversation["status"] == "open" else None

    await wait_until(opened, timeout=demo.reply_timeout, what="the bot's handoff")
    await demo.bot_done_with(asked)
    conversation = await demo.chatwoot.conversation(conversation_id)
    for reply in await demo.chatwoot.bot_replies_after(conversation_id, asked):
        t.line(texts.DEMO_BOT, reply.get("content") or "")
    notes = await demo.chatwoot.private_notes(conversation_id)
    for note in notes:
        t.line(texts.DEMO_NOTE, note)
    t.check(conversation["status"] == "open", f"conversa {conversation_id} aberta para a equipe (status open)")
    t.check(bool(notes), "nota privada para os atendentes")
    if team_id is not None:
        team = conversation["meta"].get("team") or {}
        t.check(team.get("id") == team_id, f"conversa no time {team.get('name') or team_id}")


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


async def play(info: dict[str, Any], bot_url: str, out: TextIO, *, reply_timeout: float, bot_name: str) -> None:
    team_id = next((t["id"] for t in info.get("teams", []) if t.get("name") == "Humanos"), None)
    async with httpx2.AsyncClient(timeout=10) as http:
        chatwoot = Chatwoot(http, info)
        demo = Demo(info, bot_url, chatwoot, http, Transcript(out), reply_timeout=reply_timeout, bot_name=bot_name)
        ana = demo.customer("Ana Souza")
        await flow_bot_answers(demo, ana)
        await flow_human_takes_over(demo, ana)
        await flow_back_to_bot(demo, ana)
        await flow_bot_hands_off(demo, demo.customer("Bruno Lima"), team_id)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.demo", description=texts.DEMO_DESCRIPTION)
    parser.add_argument("--keep-running", action="store_true", help="keep the sandbox and the bot up until Ctrl-C")
    args = parser.parse_args(argv)
    # Before the MCP server's own basicConfig(INFO), so library request logs stay out of the transcript.
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(name)s %(levelname)s %(message)s")
    # SIGTERM takes the same way out as Ctrl-C, so the subprocesses are stopped either way (SIGINT is set
    # too because a shell starts background jobs with it ignored).
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    environ = dict(os.environ)
    uses_openai = bool(environ.get("OPENAI_API_KEY", "").strip())
    out = sys.stdout
    started = Started()
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="chatwoot-demo-") as tmp:
        workdir = Path(tmp)
        try:
            info = start_sandbox(started, workdir)
            print(texts.DEMO_SANDBOX_UP.format(url=info["base_url"]), file=out, flush=True)
            port = free_port()
            bot_url = f"http://127.0.0.1:{port}"

            async def prepare() -> None:
                async with httpx2.AsyncClient(timeout=10) as http:
                    chatwoot = Chatwoot(http, info)
                    await chatwoot.set_outgoing_url(info["agent_bot_id"], bot_url + WEBHOOK_PATH)

            anyio.run(prepare)
            env = bot_environment(info, port, workdir, environ)
            start_bot(started, env, workdir)
            responder = texts.DEMO_RESPONDER_OPENAI if uses_openai else texts.DEMO_RESPONDER_RULES
            print(texts.DEMO_BOT_UP.format(url=bot_url, responder=responder), file=out, flush=True)
            bot_name = environ.get("BOT_NAME", "").strip() or "BIA"
            timeout = 60.0 if uses_openai else 20.0
            anyio.run(lambda: play(info, bot_url, out, reply_timeout=timeout, bot_name=bot_name))
            print(texts.DEMO_ALL_OK.format(seconds=time.monotonic() - began), file=out, flush=True)
            print_day_figures(env, out=out)  # bot/records: today's handoff figures from the bot's mirror
            if args.keep_running:
                print(texts.DEMO_KEEP_RUNNING.format(url=info["base_url"]), file=out)
                print(mcp_snippet(info), file=out, flush=True)
                signal.pause()
            else:
                print(texts.DEMO_HOW_TO_KEEP, file=out, flush=True)
            return 0
        except DemoFailed as exc:
            print(f"\n{texts.DEMO_CHECK_FAILED} {texts.DEMO_FAILED}: {exc}", file=sys.stderr)
            for name in ("bot", "sandbox"):
                tail = started.tail(name)
                if tail:
                    print(f"--- {name} log (last lines) ---\n{tail}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 0 if args.keep_running else 130
        finally:
            started.stop()


if __name__ == "__main__":
    sys.exit(main())
