"""`cw.messages`: read a conversation's messages and post one (posting is never retried)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._resource import Resource, ident
from .models import Message, MessagePage

# Chatwoot's page of messages without `after` (MessageFinder): the latest 20, or 20 older than `before`.
MESSAGES_PAGE_SIZE = 20
# ... and with `after`: up to 100 newer than it, oldest first.
AFTER_PAGE_SIZE = 100


class Messages(Resource):
    def _path(self, conversation_id: int) -> str:
        return f"{self._account}/conversations/{ident(conversation_id, 'conversation_id')}/messages"

    async def list(self, conversation_id: int, *, before: int | None = None, after: int | None = None) -> MessagePage:
        """Ascending. Latest 20 by default; 20 with id < `before`; up to 100 with id > `after`;
        with both, up to 1000 with `after` <= id < `before` (Chatwoot's MessageFinder). `after=0` starts at the
        first message (Chatwoot tests the parameter for presence, and "0" is present)."""
        params: dict[str, int] = {}
        if before is not None:
            params["before"] = ident(before, "before")
        if after is not None:
            params["after"] = 0 if after == 0 and not isinstance(after, bool) else ident(after, "after")
        path = self._path(conversation_id)
        data = await self._call("GET", path, params=params)
        items = self._parse(list[Message], self._field(data, "payload", "GET", path), "GET", path)
        meta = data.get("meta")
        return MessagePage(items=sorted(items, key=lambda m: m.id), meta=meta if isinstance(meta, dict) else {})

    async def create(
        self,
        conversation_id: int,
        content: str,
        *,
        private: bool = False,
        message_type: str = "outgoing",
        content_type: str = "text",
        content_attributes: Mapping[str, Any] | None = None,
        source_id: str | None = None,
        echo_id: str | None = None,
    ) -> Message:
        """Post a message. Never retried: on a TransportError it may or may not exist; look it up by source_id."""
        if not isinstance(content, str):
            raise ValueError("content must be a string")
        body: dict[str, Any] = {
            "content": content,
            "message_type": message_type,
            "private": bool(private),
            "content_type": content_type,
        }
        if content_attributes is not None:
            body["content_attributes"] = dict(content_attributes)
        if source_id is not None:
            body["source_id"] = source_id
        if echo_id is not None:
            body["echo_id"] = echo_id
        path = self._path(conversation_id)
        return self._parse(Message, await self._call("POST", path, json_body=body, retry=False), "POST", path)
