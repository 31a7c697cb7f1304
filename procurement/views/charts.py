"""Geometry for the small charts on the evaluation page, rendered as inline SVG by templates.

Python works out every coordinate; the templates only draw (and escape) them, so the charts
need no JavaScript and look the same in a browser, a PDF and a screenshot. Floats are used for
pixels only — the labels show the Decimal amounts as money.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils.timezone import localtime

from common.charts import PricedBid, compact, leading_line, nice_step

# One colour per scored criterion (price first), distinguishable side by side.
PALETTE = ["#0f7c80", "#3b6fd8", "#d08a1e", "#8a4fd1", "#d1495b", "#2e9d5b", "#5b6b82", "#b5651d", "#1e96c8"]


@dataclass
class Bar:
    y: float
    width: float
    label: str
    sublabel: str
    value_label: str
    css: str
    text_x: float = 0.0


@dataclass
class BarChart:
    width: int
    height: int
    plot_x: float
    plot_width: float
    bar_height: float
    bars: list[Bar]
    ticks: list[dict] = field(default_factory=list)
    reserve_x: float | None = None
    reserve_label: str = ""
    narrow: bool = False  # labels above the bars (a phone's width), not beside them


def totals_chart(rows: list[dict], *, reserve: Decimal | None = None, reserve_label: str = "",
                 width: int = 760, narrow: bool = False) -> BarChart:
    """Horizontal bars of the quotes' totals, in rank order; a dashed line at the reserve.

    Each row: {"label", "sublabel", "total" (Decimal), "value_label", "css"}. `narrow` lays it
    out for a phone: each label on its own line above its bar, the bars across the width.
    """
    label_width, right_pad, bar_height, gap, top, axis = 230.0, 100.0, 26.0, 14.0, 26.0, 26.0
    if narrow:
        label_width, right_pad, gap, top = 8.0, 96.0, 36.0, 44.0
    plot_width = width - label_width - right_pad
    values = [float(row["total"]) for row in rows] + ([float(reserve)] if reserve is not None else [])
    step = nice_step(max(values) if values else 1.0)
    top_value = step * math.ceil((max(values) if values else 1.0) / step) or step
    scale = plot_width / top_value
    bars = []
    for index, row in enumerate(rows):
        bar_width = max(2.0, float(row["total"]) * scale)
        bars.append(Bar(y=top + index * (bar_height + gap), width=bar_width, label=row["label"],
                        sublabel=row.get("sublabel", ""), value_label=row["value_label"], css=row["css"],
                        text_x=label_width + bar_width + 8))
    height = int(top + len(rows) * (bar_height + gap) - gap + axis)
    ticks = []
    value = 0.0
    while value <= top_value + 1e-9:
        ticks.append({"x": label_width + value * scale, "label": compact(value)})
        value += step
    chart = BarChart(width=width, height=height, plot_x=label_width, plot_width=plot_width, bar_height=bar_height,
                     bars=bars, ticks=ticks, narrow=narrow)
    if reserve is not None:
        chart.reserve_x = label_width + float(reserve) * scale
        chart.reserve_label = reserve_label
    return chart


@dataclass
class Segment:
    x: float
    width: float
    colour: str
    title: str


@dataclass
class StackedRow:
    y: float
    label: str
    segments: list[Segment]
    total_label: str
    total_x: float


@dataclass
class StackedChart:
    width: int
    height: int
    plot_x: float
    plot_width: float
    bar_height: float
    rows: list[StackedRow]
    ticks: list[dict]
    legend: list[dict]
    narrow: bool = False  # labels above the bars (a phone's width)


def score_composition_chart(quotes: list[dict], criteria: list[dict], *, width: int = 760,
                            narrow: bool = False) -> StackedChart:
    """One stacked bar per quote: each criterion's contribution to the 0–100 score.

    quotes: [{"label", "score_label", "contributions": {criterion_id: points}}];
    criteria: [{"id", "name"}] in display order (price first). `narrow`: each label on its
    own line above its bar, the bars across the width (a phone).
    """
    label_width, right_pad, bar_height, gap, top, axis = 230.0, 70.0, 22.0, 12.0, 8.0, 24.0
    if narrow:
        label_width, right_pad, gap, top = 8.0, 44.0, 30.0, 24.0
    plot_width = width - label_width - right_pad
    scale = plot_width / 100.0
    colours = {c["id"]: PALETTE[i % len(PALETTE)] for i, c in enumerate(criteria)}
    names = {c["id"]: c["name"] for c in criteria}
    rows = []
    for index, quote in enumerate(quotes):
        x = label_width
        segments = []
        for criterion in criteria:
            points = max(0.0, float(quote["contributions"].get(criterion["id"], 0.0)))
            if points <= 0:
                continue
            segments.append(Segment(x=x, width=points * scale, colour=colours[criterion["id"]],
                                    title=f"{names[criterion['id']]}: {points:.1f} points"))
            x += points * scale
        rows.append(StackedRow(y=top + index * (bar_height + gap), label=quote["label"], segments=segments,
                               total_label=quote["score_label"], total_x=x + 8))
    height = int(top + len(quotes) * (bar_height + gap) - gap + axis)
    ticks = [{"x": label_width + v * scale, "label": str(v)} for v in range(0, 101, 20)]
    legend = [{"name": c["name"], "colour": colours[c["id"]]} for c in criteria]
    return StackedChart(width=width, height=height, plot_x=label_width, plot_width=plot_width,
                        bar_height=bar_height, rows=rows, ticks=ticks, legend=legend, narrow=narrow)


@dataclass
class ProgressionChart:
    width: int
    height: int
    plot_x: float
    plot_y: float
    plot_width: float
    plot_height: float
    leading_path: str  # the leading price as a step line over time
    dots: list[dict]
    y_ticks: list[dict]
    x_ticks: list[dict]
    leading: list[list[tuple]] = field(default_factory=list)  # common.charts.leading_line's vertices


def progression_chart(bids: list, *, width: int = 760, height: int = 240) -> ProgressionChart | None:
    """Every accepted reverse-auction bid as a dot at (time, amount), and the leading price as a
    step line: the picture of how the price fell. None with fewer than one priced bid."""
    priced = sorted((b for b in bids if b.amount is not None), key=lambda b: (b.submitted_at, b.pk))
    if not priced:
        return None
    plot_x, plot_y, right, bottom = 64.0, 14.0, 16.0, 28.0
    plot_width, plot_height = width - plot_x - right, height - plot_y - bottom
    start = priced[0].submitted_at
    end = max([priced[-1].submitted_at] + [b.withdrawn_at for b in priced if b.withdrawn_at])
    span = max((end - start).total_seconds(), 1.0)
    low, high = float(min(b.amount for b in priced)), float(max(b.amount for b in priced))
    step = nice_step(max(high - low, high * 0.02, 1.0), 4)
    floor, ceiling = math.floor(low / step) * step, math.ceil(high / step) * step
    if ceiling == floor:
        ceiling = floor + step

    def x(when) -> float:
        return plot_x + plot_width * (when - start).total_seconds() / span

    def y(amount) -> float:
        return plot_y + plot_height * (1 - (float(amount) - floor) / (ceiling - floor))

    dots, best = [], None
    for bid in priced:
        leads = best is None or bid.amount < best
        best = bid.amount if leads else best
        dots.append({"x": x(bid.submitted_at), "y": y(bid.amount), "leading": leads,
                     "withdrawn": bid.status == "withdrawn",
                     "title": f"{bid.supplier.name}: {bid.amount.normalize():f} at {localtime(bid.submitted_at):%H:%M:%S}"})
    # The leading price falls back when a leading bid is withdrawn (common.charts, as in the PDF).
    lines = leading_line([PricedBid(b.submitted_at, b.amount, b.withdrawn_at) for b in priced],
                         start + timedelta(seconds=span))
    path = " ".join(" ".join(f"{'M' if i == 0 else 'L'}{x(when):.1f} {y(price):.1f}" for i, (when, price)
                             in enumerate(line)) for line in lines)
    y_ticks = [{"y": y(value), "label": compact(value)}
               for value in [floor + i * step for i in range(int(round((ceiling - floor) / step)) + 1)]]
    # The axis's two ends (the span is at least a second, so its end may lie past the last bid);
    # one label when both read the same, so they never print over each other.
    labels = [f"{localtime(when):%H:%M:%S}" for when in (start, start + timedelta(seconds=span))]
    x_ticks = [{"x": plot_x, "label": labels[0]}] + (
        [{"x": plot_x + plot_width, "label": labels[1]}] if labels[1] != labels[0] else [])
    return ProgressionChart(width, height, plot_x, plot_y, plot_width, plot_height, path, dots,
                            y_ticks, x_ticks, lines)
