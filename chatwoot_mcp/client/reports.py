"""Chatwoot's reports v2 (`app/controllers/api/v2/accounts/reports_controller.rb`): administrators only."""

from __future__ import annotations

from pydantic import BaseModel

from chatwoot_mcp.client._resource import Resource


class ReportPoint(BaseModel):
    value: float
    timestamp: int  # the start of the period, Unix seconds


class Reports(Resource):
    async def timeseries(
        self, metric: str, *, since: int, until: int, group_by: str = "day", timezone_offset: float = 0
    ) -> list[ReportPoint]:
        """`GET /api/v2/accounts/{id}/reports?metric=…&type=account` (V2::ReportBuilder), e.g. `bot_handoffs_count`
        per day; a non-administrator gets 401 (Pundit)."""
        path = self._account.replace("/api/v1/", "/api/v2/", 1) + "/reports"
        params = {"metric": metric, "type": "account", "since": str(since), "until": str(until),
                  "group_by": group_by, "timezone_offset": str(timezone_offset)}  # fmt: skip
        return self._parse(list[ReportPoint], await self._call("GET", path, params=params), "GET", path)
