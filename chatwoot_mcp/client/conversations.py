"""`cw.conversations`: list, count, filter, read, create, and change status, priority, assignee and labels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ._resource import Resource, ident
from .models import (
    Agent,
    AgentBotSlim,
    Conversation,
    ConversationCounts,
    ConversationFilterPage,
    ConversationPage,
    Team,
    ToggleStatusResult,
)

PAGE_SIZE = 25
"""Conversations per page of `list` and `filter` (Chatwoot's default)."""


def _iso(unix_seconds: int) -> str:
    return datetime.fromtimestamp(int(unix_seconds), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _page(page: int) -> int:
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise ValueError(f"page must be an integer >= 1, got {page!r}")
    return page


def _filters(
    *,
    status: str | None,
    assignee_type: str | None,
    inbox_id: int | None,
    team_id: int | None,
    labels: Iterable[str] | None,
    q: str | None,
    page: int | None,
    sort_by: str | None,
    source_id: str | None = None,
    conversation_type: str | None = None,
    updated_within: int | None = None,
) -> list[tuple[str, Any]]:
    params: list[tuple[str, Any]] = []
    if status is not None:
        params.append(("status", status))
    if assignee_type is not None:
        params.append(("assignee_type", assignee_type))
    if inbox_id is not None:
        params.append(("inbox_id", ident(inbox_id, "inbox_id")))
    if team_id is not None:
        params.append(("team_id", ident(team_id, "team_id")))
    if labels is not None:
        if isinstance(labels, str):
            raise ValueError("labels must be a list of label names, not a single string")
        params.extend(("labels[]", label) for label in labels)
    if q is not None:
        params.append(("q", q))
    if page is not None:
        params.append(("page", _page(page)))
    if sort_by is not None:
        params.append(("sort_by", sort_by))
    if source_id is not None:
        params.append(("source_id", source_id))
    if conversation_type is not None:
        params.append(("conversation_type", conversation_type))
    if updated_within is not None:
        if updated_within < 1:
            raise ValueError("updated_within is a number of seconds and must be positive")
        params.append(("updated_within", updated_within))
    return params


class Conversations(Resource):
    def _path(self, conversation_id: int, suffix: str = "") -> str:
        return f"{self._account}/conversations/{ident(conversation_id, 'conversation_id')}{suffix}"

    async def list(
        self,
        *,
        status: str | None = None,
        assignee_type: str | None = None,
        inbox_id: int | None = None,
        team_id: int | None = None,
        labels: Iterable[str] | None = None,
        q: str | None = None,
        page: int = 1,
        sort_by: str | None = None,
        source_id: str | None = None,
        conversation_type: str | None = None,
        updated_within: int | None = None,
    ) -> ConversationPage:
        """One page of 25. Chatwoot lists `open` when status is None; "all" means any status; `q` ignores status.

        `conversation_type` is mention, participating or unattended; `updated_within` (seconds) turns pagination
        off and returns every conversation updated in that window.
        """
        path = f"{self._account}/conversations"
        params = _filters(
            status=status, assignee_type=assignee_type, inbox_id=inbox_id, team_id=team_id,
            labels=labels, q=q, page=page, sort_by=sort_by, source_id=source_id,
            conversation_type=conversation_type, updated_within=updated_within,
        )  # fmt: skip
        data = self._field(await self._call("GET", path, params=params), "data", "GET", path)
        return ConversationPage(
            counts=self._parse(ConversationCounts, self._field(data, "meta", "GET", path), "GET", path),
            items=self._parse(list[Conversation], self._field(data, "payload", "GET", path), "GET", path),
            page=page,
        )

    async def meta(
        self,
        *,
        status: str | None = None,
        assignee_type: str | None = None,
        inbox_id: int | None = None,
        team_id: int | None = None,
        labels: Iterable[str] | None = None,
        q: str | None = None,
        page: int | None = None,
        sort_by: str | None = None,
    ) -> ConversationCounts:
        """The counts `list` would return with the same filters (rate-limited by Chatwoot to 30/min)."""
        path = f"{self._account}/conversations/meta"
        params = _filters(
            status=status, assignee_type=assignee_type, inbox_id=inbox_id, team_id=team_id,
            labels=labels, q=q, page=page, sort_by=sort_by,
        )  # fmt: skip
        data = await self._call("GET", path, params=params)
        return self._parse(ConversationCounts, self._field(data, "meta", "GET", path), "GET", path)

    async def filter(self, payload: list[dict[str, Any]], page: int = 1) -> ConversationFilterPage:
        """`POST /conversations/filter` with Chatwoot's filter rows (attribute_key, filter_operator, values, ...)."""
        if not isinstance(payload, list) or not all(isinstance(row, Mapping) for row in payload):
            raise ValueError("payload must be a list of filter objects")
        path = f"{self._account}/conversations/filter"
        # A filter is a read: repeating it is harmless, so it is retried like a GET.
        data = await self._call("POST", path, params={"page": _page(page)}, json_body={"payload": payload}, retry=True)
        return ConversationFilterPage(
            counts=self._parse(ConversationCounts, self._field(data, "meta", "POST", path), "POST", path),
            items=self._parse(list[Conversation], self._field(data, "payload", "POST", path), "POST", path),
            page=page,
        )

    async def get(self, conversation_id: int) -> Conversation:
        path = self._path(conversation_id)
        return self._parse(Conversation, await self._call("GET", path), "GET", path)

    async def create(
        self,
        *,
        inbox_id: int,
        contact_id: int,
        source_id: str | None = None,
        status: str | None = None,
        assignee_id: int | None = None,
        team_id: int | None = None,
        message: str | None = None,
        additional_attributes: Mapping[str, Any] | None = None,
        custom_attributes: Mapping[str, Any] | None = None,
        snoozed_until: int | None = None,
    ) -> Conversation:
        """Start a conversation (never retried). Chatwoot forces `pending` when the inbox has an AgentBot.

        `message` is the first message's text; `snoozed_until` is Unix seconds.
        """
        body: dict[str, Any] = {"inbox_id": ident(inbox_id, "inbox_id"), "contact_id": ident(contact_id, "contact_id")}
        optional: dict[str, Any] = {
            "source_id": source_id,
            "status": status,
            "assignee_id": None if assignee_id is None else ident(assignee_id, "assignee_id"),
            "team_id": None if team_id is None else ident(team_id, "team_id"),
            "message": None if message is None else {"content": message},
            "additional_attributes": None if additional_attributes is None else dict(additional_attributes),
            "custom_attributes": None if custom_attributes is None else dict(custom_attributes),
            # Here Chatwoot assigns the value to a datetime column, so it wants ISO 8601, not Unix seconds.
            "snoozed_until": None if snoozed_until is None else _iso(snoozed_until),
        }
        body.update({key: value for key, value in optional.items() if value is not None})
        path = f"{self._account}/conversations"
        return self._parse(Conversation, await self._call("POST", path, json_body=body, retry=False), "POST", path)

    async def toggle_status(
        self, conversation_id: int, status: str | None = None, snoozed_until: int | None = None
    ) -> ToggleStatusResult:
        """Set `status`, or flip open<->resolved when None. `snoozed_until` is Unix seconds (with "snoozed")."""
        if snoozed_until is not None and status is None:
            raise ValueError("snoozed_until needs status='snoozed'")
        path = self._path(conversation_id, "/toggle_status")
        body: dict[str, Any] = {}
        if status is not None:
            body["status"] = status
        if snoozed_until is not None:
            body["snoozed_until"] = int(snoozed_until)
        # Without a status the call flips the state, so a repeat would undo it: only retry an explicit status.
        data = await self._call("POST", path, json_body=body, retry=status is not None)
        return self._parse(ToggleStatusResult, self._field(data, "payload", "POST", path), "POST", path)

    async def toggle_priority(self, conversation_id: int, priority: str | None) -> None:
        """Set priority (low, medium, high, urgent); None clears it."""
        path = self._path(conversation_id, "/toggle_priority")
        await self._call("POST", path, json_body={"priority": priority}, retry=True)

    async def assign_agent(self, conversation_id: int, assignee_id: int | None) -> Agent | None:
        """Assign a user (clears any bot assignee); None unassigns. Chatwoot silently unassigns unknown ids."""
        path = self._path(conversation_id, "/assignments")
        body = {"assignee_id": None if assignee_id is None else ident(assignee_id, "assignee_id")}
        data = await self._call("POST", path, json_body=body, retry=True)
        return None if data is None else self._parse(Agent, data, "POST", path)

    async def assign_team(self, conversation_id: int, team_id: int | None) -> Team | None:
        """Assign a team; None clears it (sent as team_id 0, as Chatwoot expects)."""
        path = self._path(conversation_id, "/assignments")
        body = {"team_id": 0 if team_id is None else ident(team_id, "team_id")}
        data = await self._call("POST", path, json_body=body, retry=True)
        return None if data is None else self._parse(Team, data, "POST", path)

    async def assign_agent_bot(self, conversation_id: int, bot_id: int) -> AgentBotSlim:
        """Make an AgentBot the assignee (clears the user assignee); the status does not change."""
        path = self._path(conversation_id, "/assignments")
        body = {"assignee_id": ident(bot_id, "bot_id"), "assignee_type": "AgentBot"}
        data = await self._call("POST", path, json_body=body, retry=True)
        return self._parse(AgentBotSlim, data, "POST", path)

    async def mark_read(self, conversation_id: int) -> Conversation:
        """`POST …/update_last_seen`: the token's user has read it up to now (their unread count drops to 0).
        Chatwoot writes at most once an hour when nothing is unread; a repeat is harmless, so it is retried."""
        path = self._path(conversation_id, "/update_last_seen")
        return self._parse(Conversation, await self._call("POST", path, retry=True), "POST", path)

    async def labels(self, conversation_id: int) -> list[str]:
        path = self._path(conversation_id, "/labels")
        data = await self._call("GET", path)
        return self._parse(list[str], self._field(data, "payload", "GET", path), "GET", path)

    async def set_labels(self, conversation_id: int, labels: Iterable[str]) -> list[str]:
        """Replace the whole label set (Chatwoot has no "add one"); returns the labels now set."""
        if isinstance(labels, str):
            raise ValueError("labels must be a list of label names, not a single string")
        path = self._path(conversation_id, "/labels")
        data = await self._call("POST", path, json_body={"labels": list(labels)}, retry=True)
        return self._parse(list[str], self._field(data, "payload", "POST", path), "POST", path)
