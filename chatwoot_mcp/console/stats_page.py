"""The figures page (`GET /stats`): the handoff records' daily figures as charts and a table, read through
`chatwoot_handoff_stats` as the signed-in administrator, so one place computes them."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from chatwoot_mcp.console import texts
from chatwoot_mcp.console.charts import Chart, Series, chart
from chatwoot_mcp.console.web import current_session, login_redirect, render
from chatwoot_mcp.server.session import ToolCallFailed

PERIODS = (7, 14, 30)


def reports_note(why: str | None) -> str:
    """Why Chatwoot's own count is missing, in the page's language."""
    said = next((pt for start, pt in texts.STATS_NO_CHATWOOT_WHY if (why or "").startswith(start)), None)
    return texts.STATS_NO_CHATWOOT.format(why=said or texts.STATS_NO_CHATWOOT_OTHER)


def _number(value: float, decimals: int = 1) -> str:
    """pt-BR decimals (a comma), no trailing ",0"."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"
    return text.replace(".", ",")


def count(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else _number(value)


def minutes(value: float) -> str:
    return f"{_number(value)} min"


def percent(value: float) -> str:
    return f"{_number(value)}%"


def milliseconds(value: float) -> str:
    return f"{_number(value, 0)} ms"


def day_label(day: str) -> str:
    """YYYY-MM-DD -> DD/MM."""
    return f"{day[8:10]}/{day[5:7]}"


def charts_of(result: dict[str, Any]) -> list[Chart]:
    days = result["days"]
    labels = [day_label(d["day"]) for d in days]

    def column(key: str, scale: float = 1.0) -> list[float | None]:
        return [None if d.get(key) is None else d[key] * scale for d in days]

    handoffs = [Series("to_people", texts.STATS_TO_PEOPLE, column("to_people")),
                Series("back_to_bot", texts.STATS_BACK_TO_BOT, column("back_to_bot"))]  # fmt: skip
    if result.get("chatwoot_reports") == "ok":
        handoffs.append(Series("chatwoot", texts.STATS_CHATWOOT, column("chatwoot_bot_handoffs")))
    return [
        chart("handoffs", texts.STATS_HANDOFFS, texts.STATS_HANDOFFS_DESC, labels, handoffs, count),
        chart("held", texts.STATS_HELD, texts.STATS_HELD_DESC, labels,
              [Series("avg", texts.STATS_AVG, column("minutes_with_people_avg")),
               Series("median", texts.STATS_MEDIAN, column("minutes_with_people_median"))], minutes),
        chart("replies", texts.STATS_REPLIES, texts.STATS_REPLIES_DESC, labels,
              [Series("replies", texts.STATS_REPLIES_SERIES, column("assistant_replies"))], count),
        chart("sends", texts.STATS_SENDS, texts.STATS_SENDS_DESC, labels,
              [Series("sends", texts.STATS_SENDS_SERIES, column("send_success_rate", 100))], percent, top=100),
        chart("webhook", texts.STATS_WEBHOOK, texts.STATS_WEBHOOK_DESC, labels,
              [Series("p50", "p50", column("webhook_ms_p50")), Series("p99", "p99", column("webhook_ms_p99"))],
              milliseconds, kind="lines"),
    ]  # fmt: skip


def table_rows(result: dict[str, Any]) -> list[list[str]]:
    def cell(value: Any, fmt: Any, scale: float = 1.0) -> str:
        return "—" if value is None else fmt(value * scale)

    show_chatwoot = result.get("chatwoot_reports") == "ok"
    rows = []
    for d in result["days"]:
        row = [
            day_label(d["day"]),
            count(d["to_people"]),
            count(d["back_to_bot"]),
            cell(d.get("minutes_with_people_avg"), minutes),
            cell(d.get("minutes_with_people_median"), minutes),
            count(d.get("assistant_replies") or 0),
            cell(d.get("send_success_rate"), percent, 100),
            cell(d.get("webhook_ms_p50"), milliseconds),
            cell(d.get("webhook_ms_p99"), milliseconds),
        ]
        if show_chatwoot:
            row.append(cell(d.get("chatwoot_bot_handoffs"), count))
        rows.append(row)
    return rows


async def stats_page(request: Request) -> Response:
    """Administrators only: the figures cover the whole account, and agents see only their own conversations."""
    session = current_session(request)
    if session is None:
        return login_redirect(request)
    if not session.person.is_admin:
        return render(request, "error.html", {"session": session, "message": texts.STATS_FORBIDDEN}, 403)
    try:
        days = int(request.query_params.get("days") or PERIODS[0])
    except ValueError:
        days = PERIODS[0]
    days = days if days in PERIODS else PERIODS[0]
    context: dict[str, Any] = {"session": session, "days": days, "periods": PERIODS, "error": None}
    try:
        result = await session.call("chatwoot_handoff_stats", days=days)
    except ToolCallFailed as exc:
        context["error"] = texts.STATS_UNAVAILABLE.format(detail=exc.message)
        return render(request, "stats.html", context, 503)
    show_chatwoot = result.get("chatwoot_reports") == "ok"
    context |= {
        "result": result,
        "charts": charts_of(result),
        "rows": table_rows(result),
        "columns": texts.STATS_COLUMNS + ((texts.STATS_CHATWOOT,) if show_chatwoot else ()),
        "reports_note": None if show_chatwoot else reports_note(result.get("chatwoot_reports")),
        "waiting": None
        if result.get("minutes_waiting_for_a_person_avg") is None
        else minutes(result["minutes_waiting_for_a_person_avg"]),
    }
    return render(request, "stats.html", context)
