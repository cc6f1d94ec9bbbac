"""Small SVG charts drawn on the server: no script, no library from elsewhere, and readable
without colour (each series has its own fill pattern, and every chart sits beside a table of
its numbers). They return plain data for `templates/insights/_bars.html` to draw, so the
markup is escaped by the template like everything else."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 220
TOP, BOTTOM, LEFT, RIGHT = 24, 36, 36, 12


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    # a pattern id from the template's <defs>, so series differ by more than colour
    pattern: str


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    pattern: str
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class BarChart:
    title: str
    rects: list[Rect]
    labels: list[Label]
    ticks: list[Label]
    legend: list[Series]
    width: int = WIDTH
    height: int = HEIGHT


def stacked_bars(
    title: str,
    groups: list[tuple[str, dict[str, float]]],
    series: list[Series],
    *,
    unit: str = "",
) -> BarChart:
    """One bar per group (a month, a session), its series stacked in the order given."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    peak = max([sum(values.get(s.key, 0) for s in series) for _, values in groups] + [1])
    slot = plot_w / max(len(groups), 1)
    bar = min(48.0, slot * 0.6)
    rects, labels, ticks = [], [], []
    for index, (name, values) in enumerate(groups):
        x = LEFT + slot * index + (slot - bar) / 2
        y = TOP + plot_h
        total = 0.0
        for s in series:
            value = values.get(s.key, 0)
            if not value:
                continue
            height = plot_h * value / peak
            y -= height
            total += value
            rects.append(
                Rect(
                    round(x, 1),
                    round(y, 1),
                    round(bar, 1),
                    round(height, 1),
                    s.pattern,
                    f"{name}: {s.label.lower()} {value:g}{unit}",
                )
            )
        labels.append(Label(round(x + bar / 2, 1), round(y - 6, 1), f"{total:g}"))
        ticks.append(Label(round(x + bar / 2, 1), HEIGHT - BOTTOM + 18, name))
    return BarChart(title, rects, labels, ticks, series)


def side_by_side(
    title: str, groups: list[tuple[str, dict[str, float]]], series: list[Series], unit: str = ""
) -> BarChart:
    """Bars of each series next to each other per group (planned beside actual)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    peak = max(
        [max((values.get(s.key, 0) for s in series), default=0) for _, values in groups] + [1]
    )
    slot = plot_w / max(len(groups), 1)
    bar = min(24.0, slot * 0.35)
    rects, labels, ticks = [], [], []
    for index, (name, values) in enumerate(groups):
        left = LEFT + slot * index + (slot - bar * len(series)) / 2
        for position, s in enumerate(series):
            value = values.get(s.key, 0)
            height = plot_h * value / peak
            x = left + bar * position
            y = TOP + plot_h - height
            rects.append(
                Rect(
                    round(x, 1),
                    round(y, 1),
                    round(bar - 2, 1),
                    round(height, 1),
                    s.pattern,
                    f"{name}: {s.label.lower()} {value:g}{unit}",
                )
            )
            labels.append(Label(round(x + bar / 2 - 1, 1), round(y - 6, 1), f"{value:g}"))
        ticks.append(Label(round(left + bar * len(series) / 2, 1), HEIGHT - BOTTOM + 18, name))
    return BarChart(title, rects, labels, ticks, series)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class Line:
    series: Series
    points: list[Point]

    @property
    def path(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass(frozen=True)
class LineChart:
    title: str
    lines: list[Line]
    ticks: list[Label]
    scale: list[Label]
    width: int = WIDTH
    height: int = HEIGHT


def lines(
    title: str,
    names: list[str],
    series: list[tuple[Series, list[float | None]]],
    *,
    top: float,
) -> LineChart:
    """Values over time on a 0..top scale; a missing value breaks no line, it is skipped.
    Series differ by marker shape (the `pattern` names circle, square or triangle)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(names) - 1, 1)
    drawn = []
    for s, values in series:
        points = [
            Point(
                round(LEFT + step * index, 1),
                round(TOP + plot_h * (1 - value / top), 1),
                f"{names[index]}: {s.label.lower()} {value:g}",
            )
            for index, value in enumerate(values)
            if value is not None
        ]
        drawn.append(Line(s, points))
    every = max(1, len(names) // 8)
    ticks = [
        Label(round(LEFT + step * index, 1), HEIGHT - BOTTOM + 18, name)
        for index, name in enumerate(names)
        if index % every == 0
    ]
    scale = [
        Label(LEFT - 8, round(TOP + plot_h * (1 - value / top), 1) + 4, f"{value:g}")
        for value in (0, top / 2, top)
    ]
    return LineChart(title, drawn, ticks, scale)
