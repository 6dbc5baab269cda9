"""The design's flows 2 and 3 in a browser, against the sandbox and the bot: take over, the customer writes and
it shows live while the bot stays silent, reply, return, and the bot's answer shows live."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import httpx2
import pytest

from bot import texts as bot_texts
from chatwoot_mcp.console import texts
from chatwoot_mcp.server import texts as server_texts
from tests.bot.harness import Chatwoot, Customer, bot_settings, eventually, running_bot
from tests.conftest import Sandbox
from tests.console.harness import chromium, running_console, sign_in, state_of

pytestmark = pytest.mark.anyio


@pytest.fixture
async def chatwoot(sandbox: Sandbox) -> AsyncIterator[Chatwoot]:
    async with httpx2.AsyncClient(timeout=10) as http:
        yield Chatwoot(sandbox, http)


async def test_take_over_reply_and_return_follow_the_conversation_live_while_the_bot_stays_silent(
    chatwoot: Chatwoot, sandbox: Sandbox, tmp_path: Path
) -> None:
    secret = await chatwoot.bot_secret()
    settings = bot_settings(sandbox, secret, f"sqlite:///{tmp_path}/bot.sqlite3")
    admin = sandbox.agent("administrator")
    async with running_bot(chatwoot, settings):
        customer = Customer(chatwoot, inbox="Site", name="Ana Souza")
        conversation_id = await customer.start()
        first = await customer.say("Oi! Qual é o horário de atendimento?")
        await eventually(lambda: chatwoot.bot_replies(conversation_id))
        with running_console(sandbox) as console:
            async with chromium() as browser:
                page = await sign_in(browser, console, sandbox.admin_token)
                await page.click(f"li.row[data-id='{conversation_id}'] a")
                await page.wait_for_selector("#owner-badge")
                assert await page.inner_text("#owner-badge") == "🤖 BIA"
                kinds = await page.locator(".msg").evaluate_all("ms => ms.map(m => m.dataset.kind)")
                assert kinds[:2] == ["customer", "bot"]
                assert first > 0

                # Take over: the badge changes and the customer got the notice (Chatwoot's state says so).
                await page.click("#take-over")
                await page.wait_for_selector("#owner-badge:has-text('Você')")
                assert await page.inner_text("#flash") == texts.TOOK_OVER
                state = await state_of(chatwoot.http, sandbox, conversation_id)
                assert state["status"] == "open" and state["assignee_id"] == admin["id"]
                notices = [m for m in state["messages"] if m["content"] == server_texts.TAKEOVER_MESSAGE]
                assert len(notices) == 1 and not notices[0]["private"]
                assert not await page.is_disabled("#private")

                # The customer writes: it appears without a reload, and the bot stays silent.
                bot_replies_before = len(await chatwoot.bot_replies(conversation_id))
                asked = await customer.say("Preciso mudar o endereço de entrega.")
                await page.wait_for_selector(".msg[data-kind='customer']:has-text('mudar o endereço')")
                await eventually(lambda: chatwoot.delivered(conversation_id, asked))
                assert len(await chatwoot.bot_replies(conversation_id)) == bot_replies_before

                # Reply from the box.
                await page.fill("#content", "Claro! Já atualizei o endereço.")
                await page.click("#reply button[type=submit]")
                await page.wait_for_selector(".msg[data-kind='person']:has-text('Já atualizei')")
                assert await page.input_value("#content") == ""
                state = await state_of(chatwoot.http, sandbox, conversation_id)
                reply = next(m for m in state["messages"] if m["content"] == "Claro! Já atualizei o endereço.")
                assert not reply["private"] and reply["sender_type"] == "User" and reply["sender_id"] == admin["id"]

                # Return: badge back to the bot; the customer writes and the bot's answer shows live.
                await page.click("#return")
                await page.wait_for_selector("#owner-badge:has-text('BIA')")
                state = await state_of(chatwoot.http, sandbox, conversation_id)
                assert state["status"] == "pending" and state["assignee_id"] is None
                assert await page.is_disabled("#private")  # while the bot owns it, the box writes notes
                await customer.say("E quais são as formas de pagamento?")
                await page.wait_for_selector(".msg[data-kind='customer']:has-text('formas de pagamento')")
                await page.wait_for_selector(".msg[data-kind='bot']:has-text('Pix')", timeout=15_000)
                assert bot_texts.HANDOFF_NOTICE not in await page.inner_text(".transcript")


async def test_while_the_bot_owns_a_conversation_the_box_writes_private_notes(
    chatwoot: Chatwoot, sandbox: Sandbox
) -> None:
    with running_console(sandbox) as console:
        async with chromium() as browser:
            page = await sign_in(browser, console, sandbox.admin_token)
            await page.goto(f"{console.url}/c/1")
            assert await page.is_checked("#private") and await page.is_disabled("#private")
            assert await page.locator("#notes-hint").count() == 1
            await page.fill("#content", "Cliente VIP, atenção ao prazo.")
            await page.click("#reply button[type=submit]")
            await page.wait_for_selector(".msg[data-kind='note']:has-text('Cliente VIP')")
            assert await page.inner_text("#flash") == texts.NOTE_SENT
            state = await state_of(chatwoot.http, sandbox, 1)
            note = next(m for m in state["messages"] if m["content"] == "Cliente VIP, atenção ao prazo.")
            assert note["private"] and state["status"] == "pending"  # a note does not take the conversation


async def test_two_people_take_the_same_conversation_one_wins_and_the_other_is_told_who(
    chatwoot: Chatwoot, sandbox: Sandbox
) -> None:
    agent = sandbox.agent("agent", 0)
    admin = sandbox.agent("administrator")
    with running_console(sandbox, CONSOLE_AGENTS_SEE_QUEUE="true") as console:
        async with chromium() as browser:
            first = await sign_in(browser, console, sandbox.admin_token)
            second = await sign_in(browser, console, agent["access_token"])
            for page in (first, second):
                await page.goto(f"{console.url}/c/1")
                assert await page.inner_text("#owner-badge") == "🤖 BIA"
            await first.click("#take-over")
            await first.wait_for_selector("#owner-badge:has-text('Você')")
            # The second page may already show the change (live); a click that was on its way still gets a
            # clear answer from the tool, which refuses and names the owner.
            csrf = await second.get_attribute("input[name=csrf]", "value")
            late = await second.request.post(
                f"{console.url}/c/1/take-over", form={"csrf": csrf or ""}, headers={"HX-Request": "true"}
            )
            assert texts.SOMEONE_ELSE.format(name=admin["name"]) in await late.text()
            await second.wait_for_selector(f"#owner-badge:has-text('{admin['name']}')")
            state = await state_of(chatwoot.http, sandbox, 1)
            assert state["assignee_id"] == admin["id"] and state["status"] == "open"


async def test_the_page_says_who_took_the_conversation_when_someone_else_took_it_meanwhile(
    chatwoot: Chatwoot, sandbox: Sandbox
) -> None:
    admin = sandbox.agent("administrator")
    agent = sandbox.agent("agent", 0)
    with running_console(sandbox, CONSOLE_AGENTS_SEE_QUEUE="true") as console:
        async with chromium() as browser:
            page = await sign_in(browser, console, agent["access_token"])
            await page.goto(f"{console.url}/c/2")
            await page.wait_for_selector("#take-over")
            # Held back until after the administrator took it in Chatwoot: the agent's click arrives late.
            await page.route("**/c/2/take-over", _after(chatwoot, admin["id"]))
            await page.click("#take-over")
            await page.wait_for_selector("#flash.error")
            assert await page.inner_text("#flash") == texts.SOMEONE_ELSE.format(name=admin["name"])
            state = await state_of(chatwoot.http, sandbox, 2)
            assert state["assignee_id"] == admin["id"]


def _after(chatwoot: Chatwoot, admin_id: int):  # type: ignore[no-untyped-def]
    async def handler(route):  # type: ignore[no-untyped-def]
        response = await chatwoot.api("POST", "conversations/2/assignments", json={"assignee_id": admin_id})
        response.raise_for_status()
        await chatwoot.api("POST", "conversations/2/toggle_status", json={"status": "open"})
        await route.continue_()

    return handler


async def test_a_notice_shows_when_the_bot_hands_a_conversation_to_people(
    chatwoot: Chatwoot, sandbox: Sandbox, tmp_path: Path
) -> None:
    secret = await chatwoot.bot_secret()
    settings = bot_settings(sandbox, secret, f"sqlite:///{tmp_path}/bot.sqlite3")
    async with running_bot(chatwoot, settings):
        with running_console(sandbox) as console:
            async with chromium() as browser:
                page = await sign_in(browser, console, sandbox.admin_token)
                customer = Customer(chatwoot, inbox="Site", name="Bruno Lima")
                conversation_id = await customer.start()
                await page.wait_for_selector(f"li.row[data-id='{conversation_id}']")
                await customer.say("Quero falar com uma pessoa, por favor.")
                notice = page.locator(f"#notices a[href='/c/{conversation_id}']")
                await notice.wait_for(timeout=15_000)
                assert "Bruno Lima" in await notice.inner_text()
                await page.wait_for_selector(f"li.row[data-id='{conversation_id}'] .badge.owner-queue")
                with anyio.fail_after(5):
                    assert (await state_of(chatwoot.http, sandbox, conversation_id))["status"] == "open"
