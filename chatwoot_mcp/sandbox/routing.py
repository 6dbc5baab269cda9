"""The route table: method + path pattern -> handler, with the Rails controller/action used for auth."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .domain import Engine
from .errors import forbidden_action, not_found
from .parsing import to_int
from .state import AgentBot, Conversation, Store, User

EMPTY = object()  # `head :ok`: status 200 and an empty body


@dataclass
class Ctx:
    engine: Engine
    request: Request
    params: dict[str, Any]
    path: dict[str, str]
    actor: User | AgentBot | None
    account_id: int

    @property
    def store(self) -> Store:
        return self.engine.store

    @property
    def user(self) -> User | None:
        return self.actor if isinstance(self.actor, User) else None

    @property
    def is_admin(self) -> bool:
        return self.user is not None and self.user.is_admin

    def can_see(self, conv: Conversation) -> bool:
        """ConversationPolicy#show?: admins, bots, inbox members, team members, the assignee."""
        if isinstance(self.actor, AgentBot) or self.is_admin:
            return True
        user = self.user
        if user is None:
            return False
        if user.id in self.store.inboxes[conv.inbox_id].member_ids or conv.assignee_id == user.id:
            return True
        found_team = self.store.teams.get(conv.team_id) if conv.team_id is not None else None
        return found_team is not None and user.id in found_team.member_ids

    def conversation(self, key: str = "conversation_id") -> Conversation:
        display_id = to_int(self.path.get(key))
        conv = self.store.conversation_by_display(self.account_id, display_id) if display_id is not None else None
        if conv is None:
            raise not_found()
        if not self.can_see(conv):
            raise forbidden_action()
        return conv

    def require_admin(self) -> None:
        if not self.is_admin:
            raise forbidden_action()


Reply = tuple[int, Any] | Response
Handler = Callable[[Ctx], Awaitable[Reply]]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    controller: str
    action: str
    scope: str  # "account" | "profile" | "public"


ACCOUNT = r"/api/v1/accounts/(?P<account_id>[^/]+)"
CONV = ACCOUNT + r"/conversations/(?P<conversation_id>[^/]+)"
PUBLIC = r"/public/api/v1/inboxes/(?P<inbox_identifier>[^/]+)"


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(
        self, method: str, path: str, handler: Handler, controller: str, action: str, scope: str = "account"
    ) -> None:
        self.routes.append(Route(method, re.compile(path), handler, controller, action, scope))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        if len(path) > 1 and path.endswith("/"):
            path = path[:-1]
        if path.endswith(".json"):
            path = path[:-5]
        for route in self.routes:
            if route.method != method:
                continue
            found = route.pattern.fullmatch(path)
            if found:
                return route, found.groupdict()
        return None
