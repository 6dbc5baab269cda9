"""Sign-in with a Chatwoot access token (or e-mail and password, which Chatwoot turns into the token), and
sign-out. Who the person is (id, name, role, inboxes) comes from
Chatwoot through `chatwoot_setup`, called as that person."""

from __future__ import annotations

import logging
import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from chatwoot_mcp.console import texts
from chatwoot_mcp.console.password import token_from_password
from chatwoot_mcp.console.sessions import Person, PersonTools, Session
from chatwoot_mcp.console.web import (
    PRE_COOKIE,
    SESSION_COOKIE,
    console_of,
    csrf_anchor,
    csrf_ok,
    current_session,
    render,
)
from chatwoot_mcp.ratelimit import SlidingWindow
from chatwoot_mcp.server.session import ToolCallFailed

logger = logging.getLogger(__name__)


def safe_next(value: str | None) -> str:
    """Only a path on this site: never an absolute or protocol-relative URL (an open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _login_page(request: Request, error: str | None = None, status_code: int = 200, email: str = "") -> Response:
    console = console_of(request)
    pre = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(24)
    anchor = "pre:" + pre
    notice = texts.LOGIN_EXPIRED if request.query_params.get("expired") else None
    response = render(
        request,
        "login.html",
        {
            "error": error,
            "notice": notice,
            "login_csrf": console.sessions.csrf_token(anchor),
            "next": safe_next(request.query_params.get("next")),
            "email": email,
        },
        status_code=status_code,
    )
    secure = console.settings.secure_cookie(console.base_url)
    response.set_cookie(
        PRE_COOKIE, pre, httponly=True, samesite=console.settings.cookie_samesite, secure=secure, max_age=3600
    )
    return response


async def login_form(request: Request) -> Response:
    if current_session(request) is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    return _login_page(request)


async def login(request: Request, limiter: SlidingWindow) -> Response:
    console = console_of(request)
    client = request.client.host if request.client else "?"
    if limiter.exceeded(client):
        return _login_page(request, texts.LOGIN_TOO_MANY, status_code=429)
    limiter.hit(client)
    if csrf_anchor(request, None) is None or not await csrf_ok(request, None):
        return _login_page(request, texts.CSRF_FAILED, status_code=403)
    form = await request.form()
    token = str(form.get("access_token") or "").strip()
    email = str(form.get("email") or "").strip()[:200]
    if not token and "email" in form:
        password = str(form.get("password") or "")
        if not email or not password:
            return _login_page(request, texts.LOGIN_EMAIL_EMPTY, status_code=400, email=email)
        found = await token_from_password(console.settings.chatwoot, email, password)
        if isinstance(found, str):
            return _login_page(request, found, status_code=401, email=email)
        token = found.get_secret_value()
    if not token:
        return _login_page(request, texts.LOGIN_EMPTY, status_code=400)
    result = await sign_in(request, token)
    if isinstance(result, str):
        return _login_page(request, result, status_code=401, email=email)
    response = RedirectResponse(safe_next(str(form.get("next") or "/")), status_code=303)
    secure = console.settings.secure_cookie(console.base_url)
    response.set_cookie(
        SESSION_COOKIE,
        console.sessions.cookie_value(result),
        httponly=True,
        samesite=console.settings.cookie_samesite,
        secure=secure,
        max_age=int(console.settings.session_hours * 3600),
    )
    response.delete_cookie(PRE_COOKIE)
    return response


async def sign_in(request: Request, token: str) -> Session | str:
    """A new session for the token's person, or the sentence saying why not."""
    console = console_of(request)
    settings = console.settings.chatwoot
    tools: PersonTools = await console.sessions.open(settings, token)
    try:
        setup = await tools.tools.call("chatwoot_setup")
        problem = _refusal(setup, settings.account_id)
        if problem is not None:
            tools.close()
            return problem
        user = setup["user"]
        agents = (await tools.tools.call("chatwoot_list_agents"))["items"]
    except ToolCallFailed as exc:
        tools.close()
        if "401" in exc.message or "Invalid Access Token" in exc.message or "access token" in exc.message.lower():
            return texts.LOGIN_BAD_TOKEN
        return texts.LOGIN_UNAVAILABLE.format(detail=exc.message)
    inboxes = {int(i["id"]): str(i.get("name") or i["id"]) for i in setup.get("inboxes", [])}
    person = Person(int(user["id"]), str(user.get("name") or user["id"]), user["role"], frozenset(inboxes))
    names = {int(a["id"]): str(a.get("name") or a["id"]) for a in agents}
    logger.info("sign-in: user %s (%s)", person.id, person.role)
    return console.sessions.add(person, tools, inboxes, names)


def _refusal(setup: dict, account_id: int | None) -> str | None:
    if setup.get("token_kind") == "agent_bot":
        return texts.LOGIN_BOT_TOKEN
    if setup.get("token_kind") != "user" or not setup.get("user"):
        return texts.LOGIN_BAD_TOKEN
    if not setup.get("connected"):
        return texts.LOGIN_NO_ACCOUNT.format(account_id=account_id)
    if setup["user"].get("role") not in ("administrator", "agent"):
        return texts.LOGIN_BAD_ROLE
    return None


async def logout(request: Request) -> Response:
    console = console_of(request)
    session = current_session(request)
    if session is not None:
        if not await csrf_ok(request, session):
            return _login_page(request, texts.CSRF_FAILED, status_code=403)
        console.sessions.end(session)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
