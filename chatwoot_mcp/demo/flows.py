"""The four handoff flows, played through the MCP tools with a transcript, each step checked in the sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TextIO

import anyio
import httpx2

from bot import texts as bot_texts
from chatwoot_mcp.config import Settings
from chatwoot_mcp.demo import texts
from chatwoot_mcp.demo.chatwoot import OUTGOING, Chatwoot, Customer, wait_until
from chatwoot_mcp.demo.processes import WEBHOOK_PATH, DemoFailed
from chatwoot_mcp.records import texts as records_texts
from chatwoot_mcp.records.mirror import build_mirror
from chatwoot_mcp.server.session import open_tool_session

__all__ = ["OUTGOING", "WEBHOOK_PATH", "Chatwoot", "Customer", "Demo", "DemoFailed", "Transcript", "wait_until"]


class Transcript:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def title(self, text: str) -> None:
        print(f"\n== {text}", file=self.out, flush=True)

    def line(self, who: str, text: str) -> None:
        body = text.replace("\n", "\n" + " " * (len(who) + 4))
        print(f"  {who}: {body}", file=self.out, flush=True)

    def check(self, ok: bool, what: str) -> None:
        mark = texts.CHECK_OK if ok else texts.CHECK_FAILED
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
    mirror_url: str
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
            mirror_database_url=self.mirror_url,  # the bot's mirror: the tools write their reasons into it
        )

    async def check_recorded(self, conversation_id: int, trigger: str) -> None:
        """The conversation's latest handoff record carries `trigger` (the tool's, not the webhook's guess)."""
        mirror = build_mirror(self.mirror_url)

        async def latest() -> bool:
            records = await mirror.records(conversation_id)
            return bool(records) and records[-1].trigger == trigger

        try:
            with anyio.move_on_after(self.reply_timeout):
                while not await latest():
                    await anyio.sleep(0.05)
            ok = await latest()
        finally:
            await mirror.close()
        name = records_texts.TRIGGER_NAMES[trigger]
        self.transcript.check(ok, texts.RECORDED.format(trigger=trigger, name=name))

    async def customer_says(self, customer: Customer, text: str) -> int:
        self.transcript.line(f"{texts.CUSTOMER} ({customer.name})", text)
        return await customer.say(text)

    async def bot_answer(self, conversation_id: int, after: int) -> str:
        async def found() -> list[dict[str, Any]] | None:
            replies = await self.chatwoot.bot_replies_after(conversation_id, after)
            return replies or None

        what = f"the bot's answer in conversation {conversation_id}"
        replies = await wait_until(found, timeout=self.reply_timeout, what=what)
        text = replies[0].get("content") or ""
        self.transcript.line(texts.BOT, text)
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
    t.title(texts.FLOW_1)
    conversation_id = await customer.start()
    first = await demo.customer_says(customer, "Oi, tudo bem? Qual é o horário de atendimento?")
    await demo.bot_answer(conversation_id, first)
    conversation = await demo.chatwoot.conversation(conversation_id)
    t.check(conversation["status"] == "pending", f"conversa {conversation_id} continua com o bot (status pending)")


async def flow_human_takes_over(demo: Demo, customer: Customer) -> None:
    t = demo.transcript
    t.title(texts.FLOW_2)
    assert customer.conversation_id is not None
    conversation_id = customer.conversation_id
    admin = next(a for a in demo.info["agents"] if a["role"] == "administrator")
    async with open_tool_session(demo.admin_settings()) as tools:
        t.line(texts.ADMIN, f"chatwoot_take_over(conversation_id={conversation_id})")
        result = await tools.call("chatwoot_take_over", conversation_id=conversation_id)
        conversation = await demo.chatwoot.conversation(conversation_id)
        assignee = conversation["meta"].get("assignee") or {}
        t.check(
            conversation["status"] == "open" and assignee.get("id") == admin["id"],
            f"conversa aberta e atribuída a {admin['name']} (status {conversation['status']})",
        )
        notices = await demo.chatwoot.notices(conversation_id)
        if notices:
            t.line(texts.SYSTEM, notices[-1])
        t.check(bool(result.get("notified")) and bool(notices), "cliente avisado de que uma pessoa assumiu")
        await demo.check_recorded(conversation_id, "take_over")

        asked = await demo.customer_says(customer, "Preciso mudar o endereço de entrega do meu pedido.")
        await demo.bot_done_with(asked)
        silent = not await demo.chatwoot.bot_replies_after(conversation_id, asked)
        t.check(silent, "o bot ficou em silêncio")

        answer = "Claro! Já atualizei o endereço do seu pedido."
        t.line(texts.ADMIN, answer)
        await tools.call("chatwoot_send_message", conversation_id=conversation_id, content=answer)
        contents = [m.get("content") for m in await demo.chatwoot.messages(conversation_id)]
        t.check(answer in contents, "a resposta do admin está na conversa")


async def flow_back_to_bot(demo: Demo, customer: Customer) -> None:
    t = demo.transcript
    t.title(texts.FLOW_3)
    assert customer.conversation_id is not None
    conversation_id = customer.conversation_id
    async with open_tool_session(demo.admin_settings()) as tools:
        t.line(texts.ADMIN, f"chatwoot_return_to_bot(conversation_id={conversation_id})")
        result = await tools.call("chatwoot_return_to_bot", conversation_id=conversation_id)
    notices = await demo.chatwoot.notices(conversation_id)
    if notices:
        t.line(texts.SYSTEM, notices[-1])
    notified = bool(result.get("notified")) and bool(notices) and demo.bot_name in notices[-1]
    t.check(notified, "cliente avisado de que o bot voltou")
    await demo.check_recorded(conversation_id, "return_to_bot")
    conversation = await demo.chatwoot.conversation(conversation_id)
    t.check(
        conversation["status"] == "pending" and not conversation["meta"].get("assignee"),
        f"conversa de volta com o bot (status {conversation['status']}, sem atendente)",
    )
    asked = await demo.customer_says(customer, "Obrigado! E quais são as formas de pagamento?")
    answer = await demo.bot_answer(conversation_id, asked)
    conversation = await demo.chatwoot.conversation(conversation_id)
    t.check(
        answer != bot_texts.HANDOFF_NOTICE and conversation["status"] == "pending",
        "o bot voltou a responder e a conversa segue com ele",
    )


async def flow_bot_hands_off(demo: Demo, customer: Customer, team_id: int | None) -> None:
    t = demo.transcript
    t.title(texts.FLOW_4)
    conversation_id = await customer.start()
    asked = await demo.customer_says(customer, "Quero falar com uma pessoa, por favor.")

    async def opened() -> dict[str, Any] | None:
        conversation = await demo.chatwoot.conversation(conversation_id)
        return conversation if conversation["status"] == "open" else None

    await wait_until(opened, timeout=demo.reply_timeout, what="the bot's handoff")
    await demo.bot_done_with(asked)
    conversation = await demo.chatwoot.conversation(conversation_id)
    for reply in await demo.chatwoot.bot_replies_after(conversation_id, asked):
        t.line(texts.BOT, reply.get("content") or "")
    notes = await demo.chatwoot.private_notes(conversation_id)
    for note in notes:
        t.line(texts.NOTE, note)
    t.check(conversation["status"] == "open", f"conversa {conversation_id} aberta para a equipe (status open)")
    t.check(bool(notes), "nota privada para os atendentes")
    if team_id is not None:
        team = conversation["meta"].get("team") or {}
        t.check(team.get("id") == team_id, f"conversa no time {team.get('name') or team_id}")


async def play(
    info: dict[str, Any], bot_url: str, out: TextIO, *, mirror_url: str, reply_timeout: float, bot_name: str
) -> None:
    team_id = next((t["id"] for t in info.get("teams", []) if t.get("name") == "Humanos"), None)
    async with httpx2.AsyncClient(timeout=10) as http:
        chatwoot = Chatwoot(http, info)
        demo = Demo(
            info, bot_url, chatwoot, http, Transcript(out), mirror_url, reply_timeout=reply_timeout, bot_name=bot_name
        )
        ana = demo.customer("Ana Souza")
        await flow_bot_answers(demo, ana)
        await flow_human_takes_over(demo, ana)
        await flow_back_to_bot(demo, ana)
        await flow_bot_hands_off(demo, demo.customer("Bruno Lima"), team_id)
