"""The `/_sandbox/` control API for tests: faults, request and delivery logs, reset, clock, full state, and the
providers' base URLs."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .domain import Engine
from .faults import FaultBook, FaultError, parse_fault
from .outside import parse_job_fault
from .render import iso
from .state import MESSAGE_TYPE_NAMES, Store
from .twitter_channel import create_inbox


def state_snapshot(store: Store) -> dict[str, Any]:
    """Everything a test may want to assert on, without tokens or secrets."""
    conversations = []
    for conv in sorted(store.conversations.values(), key=lambda c: c.id):
        conversations.append(
            {
                "id": conv.display_id,
                "db_id": conv.id,
                "account_id": conv.account_id,
                "inbox_id": conv.inbox_id,
                "contact_id": conv.contact_id,
                "source_id": store.contact_inboxes[conv.contact_inbox_id].source_id,
                "status": conv.status,
                "assignee_id": conv.assignee_id,
                "assignee_agent_bot_id": conv.assignee_agent_bot_id,
                "team_id": conv.team_id,
                "campaign_id": conv.campaign_id,
                "labels": list(conv.labels),
                "priority": conv.priority,
                "snoozed_until": conv.snoozed_until,
                "waiting_since": conv.waiting_since,
                "first_reply_created_at": conv.first_reply_created_at,
                "custom_attributes": conv.custom_attributes,
                "last_activity_at": conv.last_activity_at,
                "updated_at": iso(conv.updated_at),
                "messages": [
                    {
                        "id": m.id,
                        "content": m.content,
                        "message_type": MESSAGE_TYPE_NAMES[m.message_type],
                        "private": m.private,
                        "sender_type": m.sender_type,
                        "sender_id": m.sender_id,
                        "source_id": m.source_id,
                        "content_type": m.content_type,
                        "content_attributes": m.content_attributes,
                        "status": m.status,
                        "created_at": m.created_at,
                    }
                    for m in conv.messages
                ],
            }
        )
    return {
        "accounts": [{"id": a.id, "name": a.name} for a in store.accounts.values()],
        "users": [{"id": u.id, "name": u.name, "email": u.email, "role": u.role} for u in store.users.values()],
        "agent_bots": [
            {"id": b.id, "name": b.name, "outgoing_url": b.outgoing_url, "account_id": b.account_id}
            for b in store.bots.values()
        ],
        "teams": [{"id": t.id, "name": t.name, "member_ids": sorted(t.member_ids)} for t in store.teams.values()],
        "inboxes": [
            {
                "id": i.id,
                "name": i.name,
                "agent_bot_id": i.agent_bot_id,
                "member_ids": sorted(i.member_ids),
                "inbox_identifier": i.inbox_identifier,
            }
            for i in store.inboxes.values()
        ],
        "contacts": [
            {"id": c.id, "name": c.name, "email": c.email, "phone_number": c.phone_number, "identifier": c.identifier}
            for c in store.contacts.values()
        ],
        "webhooks": [
            {"id": h.id, "url": h.url, "subscriptions": list(h.subscriptions), "inbox_id": h.inbox_id}
            for h in store.webhooks.values()
        ],
        "campaigns": [
            {"id": c.id, "display_id": c.display_id, "inbox_id": c.inbox_id} for c in store.campaigns.values()
        ],
        "conversations": conversations,
    }


class Control:
    def __init__(self, engine: Engine, faults: FaultBook, requests: list[dict[str, Any]], info: dict[str, Any]) -> None:
        self.engine = engine
        self.faults = faults
        self.requests = requests
        self.info = info

    async def handle(self, request: Request) -> Response:
        name = request.url.path.removeprefix("/_sandbox/").strip("/")
        method = request.method
        raw = await request.body()
        try:
            data = json.loads(raw) if raw.strip() else None
        except ValueError:
            return JSONResponse({"error": "body is not valid JSON"}, status_code=400)
        outside = self.engine.store.outside
        if name == "faults" and method == "POST":
            try:
                if isinstance(data, dict) and "job" in data:
                    outside.job_faults.append(parse_job_fault(data))
                else:
                    self.faults.add(parse_fault(data))
            except (FaultError, ValueError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=422)
            return JSONResponse(self._faults())
        if name == "faults" and method == "GET":
            return JSONResponse(self._faults())
        if name == "faults" and method == "DELETE":
            self.faults.clear()
            outside.job_faults.clear()
            return Response(status_code=204)
        if name == "providers" and method == "POST":
            try:
                outside.set_urls(data)
            except ValueError as exc:
                return JSONResponse({"error": str(exc)}, status_code=422)
            return JSONResponse(outside.urls())
        if name == "providers" and method == "GET":
            return JSONResponse(outside.urls())
        if name == "requests" and method == "GET":
            return JSONResponse(self.requests)
        if name == "requests" and method == "DELETE":
            self.requests.clear()
            return Response(status_code=204)
        if name == "deliveries" and method == "GET":
            return JSONResponse(self.engine.dispatcher.log)
        if name == "deliveries" and method == "DELETE":
            self.engine.dispatcher.log = []
            return Response(status_code=204)
        if name == "reset" and method == "POST":
            self.engine.reset()
            self.faults.clear()
            self.requests.clear()
            return JSONResponse({"ok": True})
        if name == "clock" and method == "POST":
            advance = data.get("advance") if isinstance(data, dict) else None
            if not isinstance(advance, (int, float)) or advance < 0:
                return JSONResponse({"error": "advance must be a non-negative number of seconds"}, status_code=422)
            self.engine.advance_clock(float(advance))
            return JSONResponse({"now": self.engine.clock.now()})
        if name == "state" and method == "GET":
            return JSONResponse(state_snapshot(self.engine.store))
        if name == "twitter_inboxes" and method == "POST":
            return self._twitter_inbox(data if isinstance(data, dict) else {})
        if name == "info" and method == "GET":
            return JSONResponse(self.info)
        return JSONResponse({"error": f"no control endpoint {method} /_sandbox/{name}"}, status_code=404)

    def _twitter_inbox(self, data: dict[str, Any]) -> Response:
        """A Twitter inbox, which Chatwoot builds only in Twitter's OAuth callback: `{"name", "tweets_enabled",
        "account_id"}` (the first account unless told)."""
        store = self.engine.store
        account_id = data.get("account_id", min(store.accounts))
        if account_id not in store.accounts:
            return JSONResponse({"error": f"no account {account_id}"}, status_code=422)
        inbox = create_inbox(
            store, account_id, str(data.get("name") or "Twitter"), bool(data.get("tweets_enabled", True))
        )
        return JSONResponse({"id": inbox.id, "channel_type": inbox.channel_type})

    def _faults(self) -> dict[str, Any]:
        jobs = self.engine.store.outside.job_faults
        return {"faults": [f.describe() for f in self.faults.faults], "job_faults": [f.describe() for f in jobs]}
