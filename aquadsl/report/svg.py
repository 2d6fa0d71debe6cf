"""Chart geometry computed in Python: line, stacked bar and Gantt charts as lists of SVG elements.

A ``Chart`` holds only shapes (tag, attributes, text), a title, axis labels and a legend; the template
writes them out. Every chart has a title, axis labels with units, tick labels and a legend.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")
WIDTH, LEFT, RIGHT, TOP, BOTTOM = 880, 76, 16, 14, 46
Element = tuple[str, tuple[tuple[str, str], ...], str]


@dataclass
class Chart:
    id: str
    title: str
    x_label: str
    y_label: str
    height: int = 300
    width: int = WIDTH
    elements: list[Element] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)   # (colour, label)
    note: str = ""
    left: int = LEFT                  # room for the y tick labels (row names in a Gantt)

    def add(self, tag: str, text: str = "", **attrs) -> None:
        pairs = tuple((k.rstrip("_").replace("_", "-"), _fmt(v)) for k, v in attrs.items())
        self.elements.append((tag, pairs, text))


def _fmt(v) -> str:
    return f"{v:.1f}" if isinstance(v, float) else str(v)


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / count
    step = 10 ** math.floor(math.log10(raw))
    step *= next(m for m in (1, 2, 2.5, 5, 10) if raw <= step * m)
    start = math.floor(lo / step) * step
    return [start + i * step for i in range(int(math.ceil((hi - start) / step)) + 1)]


def tick_text(v: float) -> str:
    if abs(v) >= 1_000_000:
        return f"{v / 1_000_000:g}M"
    if abs(v) >= 10_000:
        return f"{v / 1000:g}k"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:g}"


def month_ticks(lo: dt.date, hi: dt.date, count: int = 8) -> list[dt.date]:
    months = (hi.year - lo.year) * 12 + hi.month - lo.month + 1
    step = next(s for s in (1, 2, 3, 6, 12, 24, 60) if months / s <= count)
    out, y, m = [], lo.year, 1
    while dt.date(y, m, 1) <= hi:
        if dt.date(y, m, 1) >= lo and ((y * 12 + m - 1) % step == 0):
            out.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


class Frame:
    """The plot area of a chart and its two scales (x and y are numbers; dates as ordinals)."""

    def __init__(self, chart: Chart, x_lo: float, x_hi: float, y_lo: float, y_hi: float, top: int = TOP):
        self.chart = chart
        self.x0, self.x1 = chart.left, chart.width - RIGHT
        self.y0, self.y1 = chart.height - BOTTOM, top
        self.xs = (x_lo, x_hi if x_hi > x_lo else x_lo + 1)
        self.ys = (y_lo, y_hi if y_hi > y_lo else y_lo + 1)

    def x(self, v: float) -> float:
        lo, hi = self.xs
        return self.x0 + (v - lo) / (hi - lo) * (self.x1 - self.x0)

    def y(self, v: float) -> float:
        lo, hi = self.ys
        return self.y0 - (v - lo) / (hi - lo) * (self.y0 - self.y1)

    def axes(self, y_ticks: list[float], x_ticks: list[tuple[float, str]]) -> None:
        c = self.chart
        for t in y_ticks:
            if self.ys[0] <= t <= self.ys[1]:
                c.add("line", x1=self.x0, x2=self.x1, y1=self.y(t), y2=self.y(t), class_="grid")
                c.add("text", tick_text(t), x=self.x0 - 6, y=self.y(t) + 4, class_="tick", text_anchor="end")
        for v, label in x_ticks:
            x = self.x(v)
            anchor = "end" if x > self.x1 - 24 else "middle"    # the last label stays inside the chart
            c.add("line", x1=x, x2=x, y1=self.y0, y2=self.y0 + 4, class_="axis")
            c.add("text", label, x=x, y=self.y0 + 17, class_="tick", text_anchor=anchor)
        c.add("line", x1=self.x0, x2=self.x1, y1=self.y0, y2=self.y0, class_="axis")
        c.add("line", x1=self.x0, x2=self.x0, y1=self.y0, y2=self.y1, class_="axis")
        c.add("text", c.x_label, x=(self.x0 + self.x1) / 2, y=c.height - 8, class_="label", text_anchor="middle")
        c.add("text", c.y_label, x=14, y=(self.y0 + self.y1) / 2, class_="label", text_anchor="middle",
              transform=f"rotate(-90 14 {(self.y0 + self.y1) / 2:.1f})")


def _date_ticks(lo: dt.date, hi: dt.date) -> list[tuple[float, str]]:
    return [(d.toordinal(), d.strftime("%Y-%m")) for d in month_ticks(lo, hi)]


def line_chart(chart: Chart, series: list[tuple[str, list[tuple[float | dt.date, float]]]],
               bands: tuple[tuple[float, float, str], ...] = (), hlines: tuple[tuple[float, str], ...] = (),
               y_min: float | None = 0.0, legend: bool = True) -> Chart:
    """Series of (x, y) points; x may be dates. Bands and horizontal lines are labelled in the legend."""
    points = [(x.toordinal() if isinstance(x, dt.date) else x, y) for _, pts in series for x, y in pts]
    dates = any(isinstance(x, dt.date) for _, pts in series for x, _ in pts)
    if not points:
        chart.note = "no data"
        points = [(0, 0)]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    ys += [v for lo, hi, _ in bands for v in (lo, hi)] + [v for v, _ in hlines]
    y_ticks = nice_ticks(min(ys) if y_min is None else min(y_min, *ys), max(ys))
    f = Frame(chart, min(xs), max(xs), y_ticks[0], y_ticks[-1])
    x_ticks = _date_ticks(dt.date.fromordinal(int(min(xs))), dt.date.fromordinal(int(max(xs)))) if dates else \
        [(t, tick_text(t)) for t in nice_ticks(min(xs), max(xs), 8) if min(xs) <= t <= max(xs)]
    f.axes(y_ticks, x_ticks)
    for i, (lo, hi, label) in enumerate(bands):
        chart.add("rect", x=f.x0, y=f.y(hi), width=f.x1 - f.x0, height=max(1.0, f.y(lo) - f.y(hi)), class_="band")
        chart.legend.append(("#bde5b6", label))
    for value, label in hlines:
        chart.add("line", x1=f.x0, x2=f.x1, y1=f.y(value), y2=f.y(value), class_="threshold")
        chart.legend.append(("#000000", label))
    for i, (label, pts) in enumerate(series):
        coords = " ".join(f"{f.x(x.toordinal() if isinstance(x, dt.date) else x):.1f},{f.y(y):.1f}" for x, y in pts)
        chart.add("polyline", points=coords, fill="none", stroke=colour(i), class_="series")
        if legend:
            chart.legend.append((colour(i), label))
    return chart


def bar_chart(chart: Chart, categories: list[str], stacks: list[tuple[str, list[float]]],
              whiskers: list[tuple[float, float]] | None = None) -> Chart:
    """Stacked bars per category (one stack per series); optional min-max whiskers per category."""
    if not categories:
        chart.note = "no data"
        categories, stacks = ["—"], [("none", [0.0])]
    totals = [sum(s[1][i] for s in stacks) for i in range(len(categories))]
    top = max(totals + [hi for _, hi in (whiskers or [])] + [0.0])
    y_ticks = nice_ticks(0, top)
    f = Frame(chart, 0, len(categories), 0, y_ticks[-1])
    every = max(1, math.ceil(len(categories) / 14))
    f.axes(y_ticks, [(i + 0.5, c) for i, c in enumerate(categories) if i % every == 0])
    width = (f.x1 - f.x0) / len(categories)
    base = [0.0] * len(categories)
    for k, (label, values) in enumerate(stacks):
        for i, v in enumerate(values):
            if v > 0:
                chart.add("rect", x=f.x(i) + width * 0.1, y=f.y(base[i] + v), width=width * 0.8,
                          height=max(0.5, f.y(base[i]) - f.y(base[i] + v)), fill=colour(k))
            base[i] += v
        chart.legend.append((colour(k), label))
    for i, (lo, hi) in enumerate(whiskers or []):
        cx = f.x(i + 0.5)
        chart.add("line", x1=cx, x2=cx, y1=f.y(lo), y2=f.y(hi), class_="whisker")
    if whiskers:
        chart.legend.append(("#333333", "range (min to max)"))
    return chart


def gantt(chart: Chart, rows: list[tuple[str, list[tuple[dt.date, dt.date, int, str]]]],
          lo: dt.date, hi: dt.date, labels: list[str]) -> Chart:
    """Rows of bars (start, end exclusive, colour index, label); ``labels`` name the colour indices."""
    lane = 16 if len(rows) <= 60 else 7
    chart.height = TOP + BOTTOM + lane * max(1, len(rows))
    f = Frame(chart, lo.toordinal(), hi.toordinal(), 0, max(1, len(rows)))
    f.axes([], _date_ticks(lo, hi))
    for r, (name, bars) in enumerate(rows):
        y = f.y(len(rows) - r) + 1
        if name:
            chart.add("text", name, x=f.x0 - 6, y=y + lane - 4, class_="tick", text_anchor="end")
        for start, end, ci, _label in bars:
            x0, x1 = f.x(start.toordinal()), f.x(end.toordinal())
            chart.add("rect", x=x0, y=y, width=max(1.0, x1 - x0), height=max(2, lane - 3), fill=colour(ci))
    chart.legend = [(colour(i), label) for i, label in enumerate(labels)]
    return chart
