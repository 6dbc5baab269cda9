"""Signed-in people: server-side sessions, each holding one MCP tool session bound to that person's own token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import anyio
from anyio.abc import TaskGroup, TaskStatus
from pydantic import SecretStr

from chatwoot_mcp.config import Settings
from chatwoot_mcp.server.session import ToolSession, ToolSessions

Role = Literal["administrator", "agent"]


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    role: Role
    inbox_ids: frozenset[int]

    @property
    def is_admin(self) -> bool:
        return self.role == "administrator"


class PersonTools:
    """One long-lived in-memory MCP client session on a server of this person's own (their token, their user):
    Chatwoot applies their permissions and records them as the author of each action."""

    def __init__(self, settings: Settings, token: str) -> None:
        personal = settings.model_copy(
            update={
                "api_token": SecretStr(token),
                "bot_token": None,
                "mcp_allow_setup": False,
                "mcp_read_only": False,
                "mcp_toolsets": None,
            }
        )
        self._sessions = ToolSessions(personal)
        self._stop = anyio.Event()
        self._tools: ToolSession | None = None

    @property
    def tools(self) -> ToolSession:
        if self._tools is None:
            raise RuntimeError("the tool session is not open")
        return self._tools

    async def run(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Hold the session open until `close()`; started with `task_group.start(tools.run)`."""
        try:
            async with self._sessions() as tools:
                self._tools = tools
                task_status.started()
                await self._stop.wait()
        finally:
            self._tools = None
            with anyio.CancelScope(shield=True):
                await self._sessions.aclose()

    def close(self) -> None:
        self._stop.set()


@dataclass
class Session:
    id: str
    person: Person
    tools: PersonTools
    created: float
    last_seen: float
    # The person's directory, read at sign-in: inbox and agent names for the list, its filters and badges.
    inboxes: dict[int, str] = field(default_factory=dict)
    agents: dict[int, str] = field(default_factory=dict)

    async def call(self, name: str, **arguments: Any) -> dict[str, Any]:
        return await self.tools.tools.call(name, **arguments)


class SessionStore:
    """Sessions in memory, behind a signed random id in an HttpOnly cookie; the token never leaves the server."""

    def __init__(
        self, secret: str, *, max_age: float, idle: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._key = secret.encode()
        self.max_age = max_age
        self.idle = idle
        self.clock = clock
        self._sessions: dict[str, Session] = {}
        self._task_group: TaskGroup | None = None

    def bind(self, task_group: TaskGroup) -> None:
        self._task_group = task_group

    def _sign(self, value: str) -> str:
        return hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()[:32]

    def cookie_value(self, session: Session) -> str:
        return f"{session.id}.{self._sign('session:' + session.id)}"

    def csrf_token(self, anchor: str) -> str:
        """A CSRF token bound to a session id (or, before sign-in, to the pre-session cookie)."""
        return self._sign("csrf:" + anchor)

    def csrf_ok(self, anchor: str | None, token: str | None) -> bool:
        if not anchor or not token:
            return False
        return hmac.compare_digest(self.csrf_token(anchor), token)

    async def open(self, settings: Settings, token: str) -> PersonTools:
        """Open the person's tool session (before we know who they are: chatwoot_setup tells)."""
        if self._task_group is None:
            raise RuntimeError("the session store is not running")
        tools = PersonTools(settings, token)
        await self._task_group.start(tools.run)
        return tools

    def add(self, person: Person, tools: PersonTools, inboxes: dict[int, str], agents: dict[int, str]) -> Session:
        now = self.clock()
        session = Session(secrets.token_urlsafe(32), person, tools, now, now, inboxes, agents)
        self._sessions[session.id] = session
        return session

    def get(self, cookie: str | None) -> Session | None:
        """The live session behind a cookie value, or None (unknown, forged, expired or idle too long)."""
        if not cookie or "." not in cookie:
            return None
        sid, signature = cookie.rsplit(".", 1)
        if not hmac.compare_digest(self._sign("session:" + sid), signature):
            return None
        session = self._sessions.get(sid)
        if session is None:
            return None
        now = self.clock()
        if now - session.created > self.max_age or now - session.last_seen > self.idle:
            self.end(session)
            return None
        session.last_seen = now
        return session

    def end(self, session: Session) -> None:
        if self._sessions.pop(session.id, None) is not None:
            session.tools.close()

    def sweep(self) -> None:
        now = self.clock()
        for session in list(self._sessions.values()):
            if now - session.created > self.max_age or now - session.last_seen > self.idle:
                self.end(session)

    def close_all(self) -> None:
        for session in list(self._sessions.values()):
            self.end(session)

    def __len__(self) -> int:
        return len(self._sessions)
