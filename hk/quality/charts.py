"""Charts drawn on the server as SVG: weekly lines (with a target line) and horizontal bars.

Only geometry is worked out here; templates/quality/_charts.html draws it with CSS classes (the
content security policy allows no inline style or script), and every chart has its numbers in a
table under it for screen readers and print.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 58, 14, 12, 30
BAR_HEIGHT, BAR_GAP, BAR_LABEL = 22, 8, 150


@dataclass(frozen=True)
class Tick:
    value: float
    y: float
    label: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    segments: list[str]  # SVG points of each unbroken run of the line (a week without data breaks it)
    dots: list[tuple[float, float]]
    ticks: list[Tick]
    x_labels: list[tuple[float, str]]
    target_y: float | None = None
    plot: tuple[float, float, float, float] = (LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM)


def line_chart(
    values: list[float | None],
    labels: list[str],
    top: float,
    target: float | None = None,
    percent: bool = True,
    bottom: float = 0,
) -> LineChart:
    """Values from `bottom` to `top` along evenly spaced weeks; None leaves a gap."""
    top = top if top > bottom else bottom + 1
    x0, y0, x1, y1 = LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM
    step = (x1 - x0) / max(len(values) - 1, 1)

    def y(value: float) -> float:
        return round(y1 - (y1 - y0) * min(max((value - bottom) / (top - bottom), 0), 1), 1)

    segments, current, dots = [], [], []
    for index, value in enumerate(values):
        if value is None:
            if current:
                segments.append(" ".join(current))
            current = []
            continue
        point = (round(x0 + index * step, 1), y(value))
        current.append(f"{point[0]},{point[1]}")
        dots.append(point)
    if current:
        segments.append(" ".join(current))
    parts = 4 if percent else _parts(top - bottom)
    levels = [bottom + (top - bottom) * n / parts for n in range(parts + 1)]
    ticks = [Tick(v, y(v), f"{round(100 * v)}%" if percent else f"{round(v, 1):g}") for v in levels]
    every = max(1, round(len(labels) / 8))  # at most about 8 dates under the axis
    x_labels = [(round(x0 + i * step, 1), label) for i, label in enumerate(labels) if i % every == 0]
    return LineChart(
        WIDTH, HEIGHT, segments, dots, ticks, x_labels, y(target) if target is not None else None
    )


def _parts(span: float) -> int:
    """Five steps for a span of 2.5 or 5 (…25, 50…): whole numbers; four for 1, 2, 10, 20…"""
    mantissa = span / 10 ** math.floor(math.log10(span)) if span > 0 else 1
    return 5 if round(mantissa, 3) in (2.5, 5) else 4


def nice_top(largest: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50… (and their quarters' friends 2.5, 25…) at or above a value,
    so the axis reads 0, 5, 10, 15, 20 rather than 0, 5.36, 10.71…"""
    step = 1.0
    while step * 10 < largest:
        step *= 10
    while step > largest * 10 and step > 0.01:
        step /= 10
    return next(step * m for m in (1, 2, 2.5, 5, 10) if step * m >= largest)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str
    y: float
    length: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    label_width: int = BAR_LABEL


def bar_chart(rows: list[tuple[str, float, str]]) -> BarChart:
    """One horizontal bar per (label, value, value as shown), longest for the largest value."""
    largest = max((value for _, value, _ in rows), default=0) or 1
    room = WIDTH - BAR_LABEL - 60
    bars = [
        Bar(label, value, shown, i * (BAR_HEIGHT + BAR_GAP), round(room * value / largest, 1))
        for i, (label, value, shown) in enumerate(rows)
    ]
    return BarChart(WIDTH, max(len(rows), 1) * (BAR_HEIGHT + BAR_GAP), bars)
