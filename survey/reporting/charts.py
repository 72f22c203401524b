"""Server-rendered SVG charts: readable without JavaScript, printable, accessible.

A small module of our own rather than a plotting library: the two charts we need (a trend with
interval bands and a funnel plot) are a few dozen shapes each, and a library such as matplotlib or
pygal would add megabytes, inline ``style`` attributes (forbidden by our CSP) or JavaScript.
Every chart has ``role="img"``, a ``<title>`` and a ``<desc>`` that states the figures in words;
colours are Okabe–Ito (safe for colour-blind readers) and a verdict is always also a shape and a
text label, never colour alone. Styling comes from classes in ``dashboard.css``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count, pairwise

from markupsafe import Markup, escape

from survey.formatting import num, pct

WIDTH, HEIGHT = 640, 300
TREND_WIDTH = 880  # the trend spans its card (72rem) on a desk screen; a phone scrolls it sideways
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40
_ids = count(1)


@dataclass(frozen=True)
class Point:
    """One estimate: label, value, interval and number of answers (value None: no data)."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    n: int = 0
    kind: str = "normal"  # funnel: "normal", "low" (below the lower limit), "high"
    tag: str = ""  # funnel: the number printed beside the dot, listed in the table under the chart
    partial: bool = False  # trend: a period not over yet (drawn hollow, joined by a dashed line)


def _fmt(x: float) -> str:
    return f"{x:.1f}"


class _Frame:
    """Maps data to pixels: x over [x0, x1], y over [y0, y1] (rates, drawn upward)."""

    def __init__(self, x0: float, x1: float, y0: float, y1: float, width: int = WIDTH) -> None:
        self.x0, self.x1 = x0, x1 if x1 > x0 else x0 + 1
        self.y0, self.y1 = y0, y1 if y1 > y0 else y0 + 0.01
        self.width = width

    def x(self, value: float) -> float:
        return LEFT + (value - self.x0) / (self.x1 - self.x0) * (self.width - LEFT - RIGHT)

    def y(self, value: float) -> float:
        return HEIGHT - BOTTOM - (value - self.y0) / (self.y1 - self.y0) * (HEIGHT - TOP - BOTTOM)


def _open(title: str, desc: str, width: int = WIDTH, css: str = "chart") -> list[str]:
    uid = next(_ids)
    return [
        f'<svg class="{css}" viewBox="0 0 {width} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-t{uid} chart-d{uid}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-t{uid}">{escape(title)}</title>',
        f'<desc id="chart-d{uid}">{escape(desc)}</desc>',
    ]


def _y_axis(frame: _Frame, percent: str = "{:.0f} %") -> list[str]:
    parts = []
    span = frame.y1 - frame.y0
    step = 0.05 if span <= 0.4 else 0.1 if span <= 0.8 else 0.2
    tick = round(frame.y0 / step) * step
    while tick <= frame.y1 + 1e-9:
        if tick >= frame.y0 - 1e-9:
            y = _fmt(frame.y(tick))
            parts.append(f'<line class="grid" x1="{LEFT}" x2="{frame.width - RIGHT}" y1="{y}" y2="{y}"/>')
            parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y}" text-anchor="end" '
                         f'dominant-baseline="middle">{escape(percent.format(tick * 100))}</text>')
        tick += step
    return parts


def _target_line(frame: _Frame, target: float | None, label: str) -> list[str]:
    if target is None:
        return []
    y = _fmt(frame.y(target))
    return [f'<line class="target" x1="{LEFT}" x2="{frame.width - RIGHT}" y1="{y}" y2="{y}"/>',
            f'<text class="target-label" x="{frame.width - RIGHT}" y="{_fmt(frame.y(target) - 4)}" '
            f'text-anchor="end">{escape(label)}</text>']


def _y_range(values: Sequence[float]) -> tuple[float, float]:
    low = min(values, default=0.5)
    low = max(0.0, min(low, 0.9) - 0.05)
    return round(low * 20 - 0.5) / 20 if low > 0 else 0.0, 1.0


def trend_chart(points: Sequence[Point], *, title: str, desc: str, target: float | None = None,
                target_label: str = "", mark: str | None = None, mark_label: str = "",
                partial_label: str = "") -> Markup:
    """Estimates over time as points joined by a line, inside their confidence band.

    The points sit half a step in from each edge, so that the first and last labels are whole.
    ``mark`` is the label of a period to mark with a dashed vertical line (where a fall began),
    captioned ``mark_label``. A point with ``partial`` (a period not over yet) is drawn hollow,
    reached by a dashed line and captioned ``partial_label``: it is not a full point."""
    known = [p for p in points if p.value is not None]
    lows = [p.low for p in known if p.low is not None]
    frame = _Frame(-0.5, max(len(points), 1) - 0.5,
                   *_y_range([*lows, *([target] if target else [])]), width=TREND_WIDTH)
    parts = _open(title, desc, TREND_WIDTH, "chart trend") + _y_axis(frame)
    xs = {p.label: frame.x(i) for i, p in enumerate(points)}
    for run in _runs(points):  # a period without answers breaks the band and the line
        top = [f"{_fmt(xs[p.label])},{_fmt(frame.y(p.high or 0))}" for p in run]
        bottom = [f"{_fmt(xs[p.label])},{_fmt(frame.y(p.low or 0))}" for p in reversed(run)]
        if len(run) > 1:
            parts.append(f'<polygon class="band" points="{" ".join(top + bottom)}"/>')
        full = [p for p in run if not p.partial]
        if len(full) > 1:
            line = " ".join(f"{_fmt(xs[p.label])},{_fmt(frame.y(p.value or 0))}" for p in full)
            parts.append(f'<polyline class="series" points="{line}"/>')
        for before, after in pairwise(run):
            if after.partial:
                parts.append(f'<line class="series partial" x1="{_fmt(xs[before.label])}" '
                             f'y1="{_fmt(frame.y(before.value or 0))}" x2="{_fmt(xs[after.label])}" '
                             f'y2="{_fmt(frame.y(after.value or 0))}"/>')
    for p in known:
        x, y = _fmt(xs[p.label]), _fmt(frame.y(p.value or 0))
        parts.append(f'<line class="whisker" x1="{x}" x2="{x}" y1="{_fmt(frame.y(p.low or 0))}" '
                     f'y2="{_fmt(frame.y(p.high or 0))}"/>')
        note = f" ({escape(partial_label)})" if p.partial and partial_label else ""
        parts.append(f'<circle class="dot{" partial" if p.partial else ""}" cx="{x}" cy="{y}" '
                     f'r="{5 if p.partial else 4}"><title>{escape(p.label)}: {pct(p.value)} '
                     f'(n = {num(p.n)}){note}</title></circle>')
        if p.partial and partial_label:
            anchor = "end" if xs[p.label] > frame.width / 2 else "start"
            shift = -8 if anchor == "end" else 8
            parts.append(f'<text class="partial-label" x="{_fmt(xs[p.label] + shift)}" '
                         f'y="{_fmt(frame.y(p.value or 0) + 16)}" text-anchor="{anchor}">'
                         f'{escape(partial_label)}</text>')
    for p in points:
        parts.append(f'<text class="tick" x="{_fmt(xs[p.label])}" y="{HEIGHT - BOTTOM + 16}" '
                     f'text-anchor="middle">{escape(p.label)}</text>')
    parts += _target_line(frame, target, target_label)
    if mark is not None and mark in xs:
        x = _fmt(xs[mark])
        parts.append(f'<line class="fall" x1="{x}" x2="{x}" y1="{TOP}" y2="{HEIGHT - BOTTOM}"/>')
        anchor = "end" if xs[mark] > frame.width / 2 else "start"
        shift = -4 if anchor == "end" else 4
        parts.append(f'<text class="fall-label" x="{_fmt(xs[mark] + shift)}" y="{TOP + 10}" '
                     f'text-anchor="{anchor}">{escape(mark_label)}</text>')
    parts.append("</svg>")
    return Markup("\n".join(parts))  # noqa: S704 - every text above went through escape()


def _runs(points: Sequence[Point]) -> list[list[Point]]:
    """The stretches of consecutive periods that have an estimate."""
    runs: list[list[Point]] = [[]]
    for p in points:
        if p.value is None:
            runs.append([])
        else:
            runs[-1].append(p)
    return [run for run in runs if run]


def _x_ticks(frame: _Frame) -> list[str]:
    """Four or five round numbers along the n axis."""
    span = frame.x1 - frame.x0
    step = 10 ** max(len(str(int(span / 4))) - 1, 0)
    while span / step > 5:
        step *= 2 if str(step)[0] == "1" else 2.5 if str(step)[0] == "2" else 2
    parts, tick = [], 0.0
    while tick <= frame.x1:
        x = _fmt(frame.x(tick))
        parts.append(f'<text class="tick" x="{x}" y="{HEIGHT - BOTTOM + 16}" '
                     f'text-anchor="middle">{int(tick)}</text>')
        tick += step
    return parts


def _marker(kind: str, x: float, y: float) -> str:
    if kind == "low":
        return (f'<path class="marker low" d="M{_fmt(x - 6)},{_fmt(y - 5)} L{_fmt(x + 6)},'
                f'{_fmt(y - 5)} L{_fmt(x)},{_fmt(y + 6)} Z"/>')
    if kind == "high":
        return (f'<path class="marker high" d="M{_fmt(x - 6)},{_fmt(y + 5)} L{_fmt(x + 6)},'
                f'{_fmt(y + 5)} L{_fmt(x)},{_fmt(y - 6)} Z"/>')
    return f'<circle class="marker normal" cx="{_fmt(x)}" cy="{_fmt(y)}" r="5"/>'


def funnel_plot(points: Sequence[Point], *, target: float, curve_n: Sequence[float],
                limits: dict[str, tuple[Sequence[float], Sequence[float]]], title: str, desc: str,
                target_label: str = "", x_label: str = "n") -> Markup:
    """Rate against number of answers, with the target and control limits (Spiegelhalter 2005).

    ``limits`` maps a CSS class ("inner", "outer") to the lower and upper limit at each n of
    ``curve_n``. Units below the limits are drawn as downward triangles, above as upward ones.
    A point's ``tag`` (its number in the table printed under the chart) is written beside it, so
    that a printout names every dot without hovering.
    """
    known = [p for p in points if p.value is not None and p.n > 0]
    values = [p.value for p in known if p.value is not None]
    lowest = [min(low) for low, _high in limits.values() if len(low)]
    frame = _Frame(0, max([*curve_n, *(p.n for p in known), 1]) * 1.05,
                   *_y_range([*values, *lowest, target]))
    parts = _open(title, desc) + _y_axis(frame)
    for css, (low, high) in limits.items():
        for line in (low, high):
            coords = " ".join(f"{_fmt(frame.x(n))},{_fmt(frame.y(max(v, frame.y0)))}"
                              for n, v in zip(curve_n, line, strict=True))
            parts.append(f'<polyline class="limit {css}" points="{coords}"/>')
    parts += _target_line(frame, target, target_label)
    for p in known:
        x, y = frame.x(p.n), frame.y(p.value or 0)
        tag = (f'<text class="dot-tag" x="{_fmt(x + 7)}" y="{_fmt(y - 6)}">{escape(p.tag)}</text>'
               if p.tag else "")
        parts.append(f'<g class="unit">{_marker(p.kind, x, y)}{tag}'
                     f'<title>{escape(p.label)}: {pct(p.value or 0)} (n = {num(p.n)})</title></g>')
    parts += _x_ticks(frame)
    parts.append(f'<text class="tick" x="{(WIDTH + LEFT) / 2}" y="{HEIGHT - 6}" '
                 f'text-anchor="middle">{escape(x_label)}</text>')
    parts.append("</svg>")
    return Markup("\n".join(parts))  # noqa: S704 - every text above went through escape()
