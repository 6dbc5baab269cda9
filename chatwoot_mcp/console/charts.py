"""Chart geometry for the figures page: bars and lines laid out in a fixed SVG box (the template draws them and
the browser scales the box), so the charts need no script at all."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

# A small box, so that its text stays readable once the browser scales it to a card on a phone.
WIDTH, HEIGHT = 400, 220
LEFT, RIGHT, TOP, BOTTOM = 52, 8, 18, 26
GAP = 0.2  # share of a day's slot left between days


@dataclass(frozen=True)
class Series:
    key: str  # data-series in the page and the CSS class of its colour
    name: str
    values: Sequence[float | None]


@dataclass
class Mark:
    """One bar (x, y, width, height) or one point of a line (x, y), with its value as text."""

    series: str
    day: str
    value: float
    text: str
    x: float
    y: float
    width: float = 0.0
    height: float = 0.0

    @property
    def short(self) -> str:
        """The value without its unit (the axis names it), to fit above a narrow bar."""
        return self.text.split(" ")[0]


@dataclass
class Chart:
    id: str
    title: str
    description: str
    kind: str  # "bars" or "lines"
    series: list[Series]
    days: list[str]  # labels under the x axis
    marks: list[Mark] = field(default_factory=list)
    lines: dict[str, str] = field(default_factory=dict)  # series key -> SVG points
    ticks: list[tuple[float, str]] = field(default_factory=list)  # (y, label) of the value axis
    x_labels: list[tuple[float, str]] = field(default_factory=list)
    empty: bool = True
    labelled: bool = True  # values written above the bars (few days only)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom_y: float = HEIGHT - BOTTOM


def nice_top(peak: float) -> float:
    """The axis' top: 1, 2 or 5 times a power of ten at or above the peak (1 when there is nothing)."""
    if peak <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(peak))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= peak)


def chart(
    id: str,
    title: str,
    description: str,
    days: list[str],
    series: list[Series],
    fmt: Callable[[float], str],
    *,
    kind: str = "bars",
    top: float | None = None,
) -> Chart:
    """Lay out one chart of `series` over `days` (one value per day each; None is no bar, no point)."""
    built = Chart(id, title, description, kind, series, days)
    values = [v for s in series for v in s.values if v is not None]
    built.empty = not values
    built.labelled = len(days) * len(series) <= 21
    axis_top = top if top is not None else nice_top(max(values, default=0.0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(days))
    bar_w = slot * (1 - GAP) / max(1, len(series))

    def y_of(value: float) -> float:
        return TOP + plot_h * (1 - min(value, axis_top) / axis_top)

    built.ticks = [(y_of(axis_top * share), fmt(axis_top * share)) for share in (0, 0.5, 1)]
    every = max(1, math.ceil(len(days) / 7))  # at most seven day labels, so they stay readable on a phone
    built.x_labels = [(LEFT + slot * (i + 0.5), day) for i, day in enumerate(days) if i % every == 0]
    for index, one in enumerate(series):
        points = []
        for i, (day, value) in enumerate(zip(days, one.values, strict=True)):
            if value is None:
                continue
            y = y_of(value)
            if kind == "bars":
                x = LEFT + slot * i + slot * GAP / 2 + bar_w * index
                built.marks.append(Mark(one.key, day, value, fmt(value), x, y, bar_w, built.bottom_y - y))
            else:
                x = LEFT + slot * (i + 0.5)
                built.marks.append(Mark(one.key, day, value, fmt(value), x, y))
                points.append(f"{x:.1f},{y:.1f}")
        if kind == "lines" and len(points) > 1:
            built.lines[one.key] = " ".join(points)
    return built
