"""The figures page's chart geometry and number formats, without a browser."""

from __future__ import annotations

import pytest

from chatwoot_mcp.console.charts import HEIGHT, Series, chart, nice_top
from chatwoot_mcp.console.stats_page import count, day_label, milliseconds, minutes, percent, reports_note


@pytest.mark.parametrize(("peak", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (46.5, 50), (120, 200), (0.3, 0.5)])
def test_the_value_axis_ends_at_a_round_number_at_or_above_the_peak(peak: float, top: float) -> None:
    assert nice_top(peak) == pytest.approx(top)


def test_bars_stand_on_one_baseline_to_scale_and_a_missing_value_draws_nothing() -> None:
    built = chart("h", "t", "d", ["a", "b", "c"], [Series("x", "x", [2, None, 1]), Series("y", "y", [0, 1, 1])], count)
    xs = [m for m in built.marks if m.series == "x"]
    assert [m.day for m in xs] == ["a", "c"]
    assert xs[0].height == pytest.approx(2 * xs[1].height)
    assert all(m.y + m.height == pytest.approx(built.bottom_y) for m in built.marks)
    assert [label for _, label in built.ticks] == ["0", "1", "2"]
    assert not built.empty and built.bottom_y < HEIGHT
    # Side by side within a day: y's bar starts where x's ends.
    ya = next(m for m in built.marks if m.series == "y" and m.day == "a")
    assert ya.x == pytest.approx(xs[0].x + xs[0].width)


def test_a_line_joins_only_the_days_with_a_value_and_an_empty_chart_says_so() -> None:
    built = chart("w", "t", "d", ["a", "b", "c"], [Series("p", "p", [10.0, None, 30.0])], milliseconds, kind="lines")
    assert built.lines["p"].count(",") == 2 and len(built.marks) == 2
    assert chart("e", "t", "d", ["a"], [Series("p", "p", [None])], count).empty


def test_figures_read_in_brazilian_portuguese() -> None:
    assert (minutes(2.5), minutes(20.0), percent(75.0), milliseconds(46.04), count(3)) == (
        "2,5 min",
        "20 min",
        "75%",
        "46 ms",
        "3",
    )
    assert day_label("2026-12-02") == "02/12"


@pytest.mark.parametrize(
    ("why", "said"),
    [
        ("the token may not read Chatwoot's reports (administrators only)", "só administradores"),
        ("this Chatwoot has no reports v2 API", "relatórios v2"),
        ("Chatwoot's reports could not be read (ReadTimeout)", "não puderam ser lidos"),
        ("something new", "não respondeu"),
        (None, "não respondeu"),
    ],
)
def test_why_chatwoots_count_is_missing_is_said_in_portuguese(why: str | None, said: str) -> None:
    note = reports_note(why)
    assert said in note
    assert note.startswith("A contagem do próprio Chatwoot")
    assert (why or "") not in note or why is None
