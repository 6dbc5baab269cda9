"""Signing in as a Chatwoot person, in a real browser: roles, scoping, bad tokens, CSRF, sign-out."""

from __future__ import annotations

import httpx2
import pytest

from chatwoot_mcp.console import texts
from tests.conftest import Sandbox
from tests.console.harness import chromium, running_console, sign_in, state_of

pytestmark = pytest.mark.anyio


async def test_an_administrator_signs_in_with_a_token_and_sees_every_conversation_with_its_owner(
    sandbox: Sandbox,
) -> None:
    with running_console(sandbox) as console:
        async with chromium() as browser:
            page = await sign_in(browser, console, sandbox.admin_token)
            rows = page.locator("li.row")
            assert await rows.count() == 6
            assert "Ana Administradora · administrador" in await page.inner_text("header")
            assert await page.inner_text("li.row[data-id='1'] .badge") == "🤖 BIA"
            assert await page.inner_text("li.row[data-id='3'] .badge") == "👤 Você"
            assert await page.inner_text("li.row[data-id='4'] .badge") == texts.BADGE_QUEUE
            await page.wait_for_selector("[data-count='all']")
            assert await page.inner_text("[data-count='all']") == "6"
            assert await page.inner_text("[data-count='bot']") == "2"
            # The token stays on the server: not in the page, not in a cookie the page can read.
            cookies = await page.context.cookies()
            assert sandbox.admin_token not in await page.content()
            assert all(sandbox.admin_token not in c["value"] for c in cookies)
            session = next(c for c in cookies if c["name"] == "cwc_session")
            assert session["httpOnly"] and session["sameSite"] == "Lax"
            assert await page.evaluate("document.cookie") == ""


async def test_an_agent_sees_only_what_is_assigned_to_them_and_is_refused_the_rest(sandbox: Sandbox) -> None:
    agent = sandbox.agent("agent", 0)
    assigned = sandbox.api("POST", "conversations/4/assignments", json={"assignee_id": agent["id"]})
    assert assigned.status_code == 200
    with running_console(sandbox) as console:
        async with chromium() as browser:
            page = await sign_in(browser, console, agent["access_token"])
            ids = await page.locator("li.row").evaluate_all("rows => rows.map(r => r.dataset.id)")
            theirs = {
                str(c["id"])
                for c in sandbox.control("GET", "state")["conversations"]
                if c["assignee_id"] == agent["id"]
            }
            assert "4" in ids and set(ids) == theirs and len(theirs) < 6
            assert await page.locator("select[name=agent]").count() == 0  # no agent filter for agents
            tabs = await page.locator(".tabs a").evaluate_all("tabs => tabs.map(t => t.dataset.owner)")
            assert tabs == ["mine"]
            # Asking for another tab by hand still lists only theirs.
            await page.goto(f"{console.url}/?owner=all")
            assert set(await page.locator("li.row").evaluate_all("rows => rows.map(r => r.dataset.id)")) == theirs
            # The conversation page and every action are checked on the server, not only hidden.
            response = await page.goto(f"{console.url}/c/1")
            assert response is not None and response.status == 403
            assert texts.FORBIDDEN in await page.inner_text("#error")
            csrf = await page.get_attribute("input[name=csrf]", "value")
            refused = await page.request.post(f"{console.url}/c/1/take-over", form={"csrf": csrf or ""})
            assert refused.status == 403
            async with httpx2.AsyncClient(timeout=10) as http:
                state = await state_of(http, sandbox, 1)
            assert state["status"] == "pending" and state["assignee_id"] is None


async def test_an_agent_may_also_see_the_bots_and_the_waiting_conversations_when_the_setting_allows_it(
    sandbox: Sandbox,
) -> None:
    agent = sandbox.agent("agent", 0)
    with running_console(sandbox, CONSOLE_AGENTS_SEE_QUEUE="true") as console:
        async with chromium() as browser:
            page = await sign_in(browser, console, agent["access_token"])
            tabs = await page.locator(".tabs a").evaluate_all("tabs => tabs.map(t => t.dataset.owner)")
            assert tabs == ["mine", "bot", "queue"]
            await page.click(".tabs a[data-owner='bot']")
            await page.wait_for_url("**owner=bot**")
            ids = await page.locator("li.row").evaluate_all("rows => rows.map(r => r.dataset.id)")
            assert sorted(ids) == ["1", "2"]
            response = await page.goto(f"{console.url}/c/3")  # the administrator's: still not theirs to see
            assert response is not None and response.status == 403


async def test_a_bad_token_is_refused_with_a_sentence_and_no_session(sandbox: Sandbox) -> None:
    with running_console(sandbox) as console:
        async with chromium() as browser:
            page = await browser.new_page()
            await page.goto(f"{console.url}/login")
            await page.fill("input[name=access_token]", "not-a-real-token")
            await page.click("#token-form button[type=submit]")
            assert await page.inner_text("#login-error") == texts.LOGIN_BAD_TOKEN
            assert not [c for c in await page.context.cookies() if c["name"] == "cwc_session"]
            await page.goto(f"{console.url}/")
            assert page.url.startswith(f"{console.url}/login")
            # An AgentBot's token is not a person's.
            await page.fill("input[name=access_token]", sandbox.bot_token)
            await page.click("#token-form button[type=submit]")
            assert await page.inner_text("#login-error") == texts.LOGIN_BOT_TOKEN


async def test_a_forged_form_without_the_csrf_token_changes_nothing(sandbox: Sandbox) -> None:
    with running_console(sandbox) as console:
        async with chromium() as browser:
            page = await sign_in(browser, console, sandbox.admin_token)
            # Same browser, same cookies, but no token: what another site's form would send.
            forged = await page.request.post(f"{console.url}/c/1/take-over", form={"note": "x"})
            assert forged.status == 403
            assert texts.CSRF_FAILED in await forged.text()
            wrong = await page.request.post(f"{console.url}/c/1/take-over", form={"csrf": "0" * 32})
            assert wrong.status == 403
            # A form on another origin that posts to the console: the SameSite cookie is not even sent.
            await page.set_content(
                f'<form method="post" action="{console.url}/c/1/take-over"><button id="go">go</button></form>'
            )
            await page.click("#go")
            await page.wait_for_load_state()
            async with httpx2.AsyncClient(timeout=10) as http:
                state = await state_of(http, sandbox, 1)
                assert state["status"] == "pending" and state["assignee_id"] is None
                # The sign-in form is protected too.
                login = await http.post(f"{console.url}/login", data={"access_token": sandbox.admin_token})
                assert login.status_code == 403 and "cwc_session" not in login.cookies


async def test_sign_out_ends_the_session_on_the_server(sandbox: Sandbox) -> None:
    with running_console(sandbox) as console:
        async with chromium() as browser:
            page = await sign_in(browser, console, sandbox.admin_token)
            cookie = next(c for c in await page.context.cookies() if c["name"] == "cwc_session")
            await page.click(".logout button")
            await page.wait_for_url(f"{console.url}/login")
            async with httpx2.AsyncClient(timeout=10, follow_redirects=False) as http:
                stale = await http.get(f"{console.url}/", headers={"Cookie": f"cwc_session={cookie['value']}"})
                assert stale.status_code == 303 and stale.headers["location"].startswith("/login")
                health = (await http.get(f"{console.url}/health")).json()
                assert health["status"] == "healthy" and health["sessions"] == 0


async def test_sign_in_attempts_are_limited_per_client(sandbox: Sandbox) -> None:
    with running_console(sandbox, CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE="3") as console:
        async with httpx2.AsyncClient(timeout=10) as http:
            statuses = []
            for _ in range(4):
                form = await http.get(f"{console.url}/login")
                csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
                answer = await http.post(f"{console.url}/login", data={"csrf": csrf, "access_token": "wrong"})
                statuses.append(answer.status_code)
            assert statuses == [401, 401, 401, 429]
            assert texts.LOGIN_TOO_MANY in answer.text
