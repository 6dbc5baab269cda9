"""`cw.agents`, `cw.teams`, `cw.contacts`: the people of the account; `cw.labels`: its labels."""

from __future__ import annotations

from ._resource import Resource
from .models import Agent, Contact, ContactPage, Label, Team

__all__ = ["Agents", "Contacts", "Labels", "Teams"]


class Agents(Resource):
    async def list(self) -> list[Agent]:
        path = f"{self._account}/agents"
        return self._parse(list[Agent], await self._call("GET", path), "GET", path)


class Teams(Resource):
    async def list(self) -> list[Team]:
        path = f"{self._account}/teams"
        return self._parse(list[Team], await self._call("GET", path), "GET", path)


class Labels(Resource):
    async def list(self) -> list[Label]:
        """`GET /labels` (LabelsController#index: agents may list them), `{"payload": [label, …]}`."""
        path = f"{self._account}/labels"
        data = await self._call("GET", path)
        return self._parse(list[Label], self._field(data, "payload", "GET", path), "GET", path)


class Contacts(Resource):
    async def search(self, q: str, page: int = 1) -> ContactPage:
        """Contacts whose name, email, phone or identifier match `q`; 15 per page."""
        if not isinstance(q, str) or not q.strip():
            raise ValueError("q must be a non-empty search string")
        if isinstance(page, bool) or not isinstance(page, int) or page < 1:
            raise ValueError(f"page must be an integer >= 1, got {page!r}")
        path = f"{self._account}/contacts/search"
        data = await self._call("GET", path, params={"q": q, "page": page})
        meta = data.get("meta") if isinstance(data, dict) else None
        meta = meta if isinstance(meta, dict) else {}
        items = self._parse(list[Contact], self._field(data, "payload", "GET", path), "GET", path)
        current = meta.get("current_page")
        return ContactPage(
            items=items,
            page=int(current) if isinstance(current, int | str) and str(current).isdigit() else page,
            has_more=bool(meta.get("has_more", False)),
        )
