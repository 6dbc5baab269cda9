"""Reports v2 as Chatwoot computes them from its reporting events (app/controllers/api/v2/accounts/
reports_controller.rb, app/builders/v2/reports/timeseries/count_report_builder.rb, app/listeners/
reporting_event_listener.rb: `conversation_bot_handoff` is written once per conversation, only by Conversation#
bot_handoff!, which runs when an AgentBot token opens a pending conversation)."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import httpx2

from tests.conftest import Sandbox

DAY = 86400


def _v2(box: Sandbox, path: str, token: str | None = None, **params: Any) -> httpx2.Response:
    url = f"{box.base_url}/api/v2/accounts/{box.account_id}/{path}"
    return httpx2.get(url, params=params, headers={"api_access_token": token or box.admin_token}, timeout=10)


def _now(box: Sandbox) -> int:
    return int(box.control("POST", "clock", json={"advance": 0})["now"])


def _span(box: Sandbox) -> dict[str, int]:
    """The last minute and the next: nothing of the seeded story (30 minutes old or more) falls in it."""
    now = _now(box)
    return {"since": now - 60, "until": now + 60}


def _total(series: list[dict[str, Any]]) -> int:
    return sum(point["value"] for point in series)


def test_bot_handoffs_are_counted_once_per_conversation_and_only_when_the_bot_hands_off(sandbox: Sandbox) -> None:
    bot, admin = sandbox.bot_token, sandbox.admin_token
    assert sandbox.api("POST", "conversations/1/toggle_status", token=bot, json={"status": "open"}).status_code == 200
    sandbox.api("POST", "conversations/1/toggle_status", token=admin, json={"status": "pending"})  # back to the bot
    sandbox.api("POST", "conversations/1/toggle_status", token=bot, json={"status": "open"})  # a second handoff
    sandbox.api("POST", "conversations/2/toggle_status", token=admin, json={"status": "open"})  # a person takes over
    series = _v2(sandbox, "reports", metric="bot_handoffs_count", type="account", group_by="day", **_span(sandbox))
    assert series.status_code == 200
    assert _total(series.json()) == 1
    summary = _v2(sandbox, "reports/bot_summary", type="account", **_span(sandbox)).json()
    assert summary == {
        "bot_resolutions_count": 0,
        "bot_handoffs_count": 1,
        "previous": {"bot_resolutions_count": 0, "bot_handoffs_count": 0},
    }


def test_conversations_count_per_day_fills_every_day_of_the_range_with_zeros(sandbox: Sandbox) -> None:
    site = sandbox.inbox("Site")["id"]
    for _ in range(2):
        sandbox.api("POST", "conversations", json={"inbox_id": site, "contact_id": 11})
    now = _now(sandbox)
    series = _v2(
        sandbox,
        "reports",
        metric="conversations_count",
        type="account",
        group_by="day",
        since=now - 3 * DAY,
        until=now + 60,
    ).json()
    assert len(series) in (4, 5)  # the days from since's to until's, both included
    stamps = [point["timestamp"] for point in series]
    assert all(stamp % DAY == 0 for stamp in stamps) and stamps == sorted(stamps)
    assert all(b - a == DAY for a, b in pairwise(stamps))
    assert series[-1]["value"] >= 2 and _total(series) == 8  # six seeded, all within the last four hours, and two
    assert all(set(point) == {"value", "timestamp"} for point in series)


def test_timezone_offset_moves_the_day_boundaries(sandbox: Sandbox) -> None:
    now = _now(sandbox)
    series = _v2(
        sandbox,
        "reports",
        metric="conversations_count",
        type="account",
        timezone_offset="-3",
        since=now - DAY,
        until=now,
    ).json()
    assert all((point["timestamp"] - 3 * 3600) % DAY == 0 for point in series)  # midnight in UTC-3 is 03:00 UTC
    assert _total(series) == 6


def test_averages_come_as_decimal_strings_with_the_days_count(sandbox: Sandbox) -> None:
    sandbox.api("POST", "conversations/1/toggle_status", token=sandbox.bot_token, json={"status": "open"})
    sandbox.control("POST", "clock", json={"advance": 100})
    sandbox.api("POST", "conversations/1/messages", json={"content": "Oi, sou a Ana. Já vejo seu pedido."})
    now = _now(sandbox)
    series = _v2(
        sandbox, "reports", metric="avg_first_response_time", type="account", since=now - 120, until=now + 60
    ).json()
    point = series[-1]
    assert point["count"] == 1 and isinstance(point["value"], str) and 99 <= float(point["value"]) <= 101
    summary = _v2(sandbox, "reports/summary", type="account", since=now - 120, until=now + 60).json()
    assert 99 <= float(summary["avg_first_response_time"]) <= 101
    assert summary["outgoing_messages_count"] == 1 and summary["conversations_count"] == 0
    assert summary["avg_resolution_time"] == 0  # ReportHelper: 0 when there is nothing to average
    assert set(summary) == {
        "conversations_count",
        "incoming_messages_count",
        "outgoing_messages_count",
        "avg_first_response_time",
        "avg_resolution_time",
        "resolutions_count",
        "reply_time",
        "previous",
    }


def test_resolutions_and_bot_resolutions(sandbox: Sandbox) -> None:
    sandbox.api("POST", "conversations/2/toggle_status", token=sandbox.bot_token, json={"status": "resolved"})
    sandbox.api("POST", "conversations/3/toggle_status", json={"status": "resolved"})  # a person had replied
    summary = _v2(sandbox, "reports/summary", type="account", **_span(sandbox)).json()
    assert summary["resolutions_count"] == 2
    bots = _v2(sandbox, "reports/bot_summary", type="account", **_span(sandbox)).json()
    assert bots["bot_resolutions_count"] == 1


def test_reports_scope_to_an_inbox_and_an_unknown_one_is_a_404(sandbox: Sandbox) -> None:
    whatsapp = sandbox.inbox("WhatsApp")["id"]
    now = _now(sandbox)
    series = _v2(
        sandbox, "reports", metric="conversations_count", type="inbox", id=whatsapp, since=now - DAY, until=now + 60
    ).json()
    assert _total(series) == 3  # conversations 1, 3 and 5
    assert (
        _v2(
            sandbox, "reports", metric="conversations_count", type="inbox", id=99, since=now - DAY, until=now
        ).status_code
        == 404
    )


def test_reports_are_for_administrators_only(sandbox: Sandbox) -> None:
    span = _span(sandbox)
    for path in ("reports", "reports/summary", "reports/bot_summary"):
        agent = _v2(sandbox, path, token=sandbox.agent_token, metric="conversations_count", type="account", **span)
        assert agent.status_code == 401 and agent.json() == {"error": "You are not authorized to do this action"}
        bot = _v2(sandbox, path, token=sandbox.bot_token, metric="conversations_count", type="account", **span)
        assert bot.json() == {"error": "Access to this endpoint is not authorized for bots"}


def test_an_unknown_metric_or_a_missing_range_builds_an_empty_series(sandbox: Sandbox) -> None:
    span = _span(sandbox)
    assert _v2(sandbox, "reports", metric="nope", type="account", **span).json() == []
    assert _v2(sandbox, "reports", metric="conversations_count", type="account").json() == []
    summary = _v2(sandbox, "reports/summary", type="account").json()
    assert summary["conversations_count"] == 0 and summary["previous"]["conversations_count"] == 0
    # `params[:type].to_sym` on nil is not rescued: Rails' 500
    assert _v2(sandbox, "reports", metric="conversations_count", **span).status_code == 500


def test_span_excludes_its_end(sandbox: Sandbox) -> None:
    site = sandbox.inbox("Site")["id"]
    created = sandbox.api("POST", "conversations", json={"inbox_id": site, "contact_id": 12}).json()
    moment = created["created_at"]
    before = _v2(sandbox, "reports/summary", type="account", since=moment - 30, until=moment).json()
    assert before["conversations_count"] == 0  # since...until: `until` itself is outside
    after = _v2(sandbox, "reports/summary", type="account", since=moment, until=moment + 30).json()
    assert after["conversations_count"] == 1


def test_reporting_events_list_the_rows_the_reports_are_counted_from(sandbox: Sandbox) -> None:
    bot = sandbox.bot_token
    sandbox.api("POST", "conversations/1/toggle_status", token=bot, json={"status": "open"})
    sandbox.api("POST", "conversations/1/toggle_status", json={"status": "pending"})
    sandbox.api("POST", "conversations/1/toggle_status", token=bot, json={"status": "open"})
    rows = sandbox.api("GET", "conversations/1/reporting_events").json()
    assert [r["name"] for r in rows] == ["conversation_bot_handoff"]  # once, however often the bot hands off
    db_id = next(c["db_id"] for c in sandbox.control("GET", "state")["conversations"] if c["id"] == 1)
    assert rows[0]["conversation_id"] == db_id and rows[0]["event_end_time"].endswith("Z")
    listed = sandbox.api("GET", "reporting_events?name=conversation_bot_handoff").json()
    assert listed["meta"] == {"count": 3, "current_page": 1, "total_pages": 1}  # the seeded two and this one
    assert listed["payload"][0]["id"] == rows[0]["id"]  # newest first
    refused = sandbox.api("GET", "reporting_events", token=sandbox.agent_token)
    assert refused.status_code == 401 and refused.json() == {"error": "You are not authorized to do this action"}
    assert sandbox.api("GET", "conversations/1/reporting_events", token=bot).status_code == 401
