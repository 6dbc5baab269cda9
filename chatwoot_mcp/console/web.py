"""What every route shares: templates, the signed-in session, CSRF checks, badges and times for the templates."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from chatwoot_mcp.console import texts
from chatwoot_mcp.console.labels import LabelCache
from chatwoot_mcp.console.live import Hub, WebhookIntake
from chatwoot_mcp.console.sessions import Session, SessionStore
from chatwoot_mcp.console.settings import ConsoleSettings

HERE = Path(__file__).parent
SESSION_COOKIE = "cwc_session"
PRE_COOKIE = "cwc_pre"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"

# Templates ship in the package and never change while it runs: no mtime check on every (included) template.
templates = Jinja2Templates(
    env=Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(), auto_reload=False)
)


@dataclass
class Console:
    """The running console's state, kept on `app.state.console`."""

    settings: ConsoleSettings
    sessions: SessionStore
    hub: Hub
    intake: WebhookIntake
    base_url: str = ""
    labels: LabelCache = field(default_factory=LabelCache)


def console_of(request: Request) -> Console:
    return request.app.state.console  # type: ignore[no-any-return]


def current_session(request: Request) -> Session | None:
    return console_of(request).sessions.get(request.cookies.get(SESSION_COOKIE))


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def login_redirect(request: Request) -> Response:
    target = request.url.path
    if is_htmx(request):
        # htmx follows HX-Redirect with a full page load, so a partial never renders the sign-in form inside.
        return Response(status_code=401, headers={"HX-Redirect": f"/login?next={target}&expired=1"})
    return RedirectResponse(f"/login?next={target}", status_code=303)


async def csrf_ok(request: Request, session: Session | None) -> bool:
    """The token from the form field or the htmx header, bound to this session (or the pre-session cookie)."""
    console = console_of(request)
    token = request.headers.get(CSRF_HEADER)
    if token is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    return console.sessions.csrf_ok(csrf_anchor(request, session), token)


def csrf_anchor(request: Request, session: Session | None) -> str | None:
    if session is not None:
        return session.id
    pre = request.cookies.get(PRE_COOKIE)
    return "pre:" + pre if pre else None


def csrf_refused() -> Response:
    return HTMLResponse(f'<p class="flash error" role="alert">{texts.CSRF_FAILED}</p>', status_code=403)


def badge(conversation: dict[str, Any], session: Session | None, bot_name: str) -> tuple[str, str]:
    """(css class, text) of the owner badge."""
    owner = conversation.get("owner")
    assignee = conversation.get("assignee") or {}
    if owner == "bot":
        return "bot", texts.BADGE_BOT.format(bot_name=bot_name)
    if owner == "human":
        if session is not None and assignee.get("id") == session.person.id:
            return "you", texts.BADGE_YOU
        return "human", texts.BADGE_HUMAN.format(name=assignee.get("name") or "?")
    if owner == "queue":
        return "queue", texts.BADGE_QUEUE
    if owner == "closed":
        return "closed", texts.BADGE_CLOSED
    return "snoozed", texts.BADGE_SNOOZED


def ago(timestamp: int | None, now: float | None = None) -> str:
    if not timestamp:
        return ""
    seconds = max(0, int((now or time.time()) - timestamp))
    if seconds < 60:
        return texts.AGO_NOW
    if seconds < 3600:
        return texts.AGO_MINUTES.format(n=seconds // 60)
    if seconds < 86400:
        return texts.AGO_HOURS.format(n=seconds // 3600)
    return texts.AGO_DAYS.format(n=seconds // 86400)


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    console = console_of(request)
    session = context.get("session")
    bot_name = console.settings.chatwoot.bot_name
    base = {
        "t": texts,
        "bot_name": bot_name,
        "csrf": console.sessions.csrf_token(session.id) if session is not None else "",
        "reread": console.settings.reread_seconds,
        "ago": ago,
        "badge": lambda c: badge(c, session, bot_name),
        "role_name": lambda role: texts.ROLES.get(role, role),
    }
    return templates.TemplateResponse(request, name, base | context, status_code=status_code)
