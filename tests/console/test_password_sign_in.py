"""Signing in with e-mail and password through Chatwoot's own sign-in, in a real browser and over HTTP: the same
session, CSRF and rate-limit rules as the token, and the password kept nowhere."""

from __future__ import annotations

import httpx2
import pytest

from chatwoot_mcp.console import texts
from tests.conftest import Sandbox
from tests.console.harness import chromium, running_console

pytestmark = pytest.mark.anyio


async def test_people_sign_in_with_their_chatwoot_email_and_password(sandbox: Sandbox) -> None:
    admin, agent = sandbox.agent("administrator"), sandbox.agent("agent", 0)
    with running_console(sandbox) as console:
        async with chromium() as browser:
            page = await browser.new_page()
            await page.goto(f"{console.url}/login?next=/c/3")
            await page.fill("#email", admin["email"].upper())  # Chatwoot compares e-mails case-insensitively
            await page.fill("#password", admin["password"])
            await page.press("#password", "Enter")
            await page.wait_for_url(f"{console.url}/c/3")
            assert "Ana Administradora · administrador" in await page.inner_text("header")
            assert admin["password"] not in await page.content()
            cookies = await page.context.cookies()
            session = next(c for c in cookies if c["name"] == "cwc_session")
            assert session["httpOnly"] and all(admin["password"] not in c["value"] for c in cookies)

            other = await (await browser.new_context()).new_page()
            await other.goto(f"{console.url}/login")
            await other.fill("#email", agent["email"])
            await other.fill("#password", agent["password"])
            await other.click("#password-form button[type=submit]")
            await other.wait_for_url(f"{console.url}/")
            assert "Bruno Agente · agente" in await other.inner_text("header")
            tabs = await other.locator(".tabs a").evaluate_all("tabs => tabs.map(t => t.dataset.owner)")
            assert tabs == ["mine"]  # the same role scoping as a token's sign-in
        assert admin["password"] not in console.stderr() and agent["password"] not in console.stderr()


async def test_a_wrong_password_is_refused_with_a_sentence_and_the_email_kept_but_not_the_password(
    sandbox: Sandbox,
) -> None:
    admin = sandbox.agent("administrator")
    with running_console(sandbox) as console:
        async with chromium() as browser:
            page = await browser.new_page()
            await page.goto(f"{console.url}/login")
            await page.fill("#email", admin["email"])
            await page.fill("#password", "not-the-password")
            await page.press("#password", "Enter")
            assert await page.inner_text("#login-error") == texts.LOGIN_BAD_PASSWORD
            assert await page.input_value("#email") == admin["email"]
            assert await page.input_value("#password") == ""
            assert "not-the-password" not in await page.content()
            assert not [c for c in await page.context.cookies() if c["name"] == "cwc_session"]
        assert "not-the-password" not in console.stderr()


async def test_password_sign_in_needs_the_csrf_token_and_counts_against_the_attempt_limit(sandbox: Sandbox) -> None:
    admin = sandbox.agent("administrator")
    with running_console(sandbox, CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE="3") as console:
        async with httpx2.AsyncClient(timeout=10) as http:
            forged = await http.post(
                f"{console.url}/login", data={"email": admin["email"], "password": admin["password"]}
            )
            assert forged.status_code == 403 and "cwc_session" not in http.cookies
            statuses = []
            for password in ("wrong", "", admin["password"]):
                form = await http.get(f"{console.url}/login")
                csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
                answer = await http.post(
                    f"{console.url}/login", data={"csrf": csrf, "email": admin["email"], "password": password}
                )
                statuses.append(answer.status_code)
            # The forged post, a wrong and an empty password used the three attempts: the right one waits too.
            assert statuses == [401, 400, 429]
            assert texts.LOGIN_TOO_MANY in answer.text and "cwc_session" not in http.cookies
