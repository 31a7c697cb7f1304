"""Geometry of the report page's price-distribution chart (inline SVG, drawn by a template).

A strip plot of the counted quotes on one price axis: the Q1–Q3 box, the median line, Tukey's
fences dashed, outliers marked. Built from the report JSON, so the page shows what the JSON and
the PDF say. Floats are pixels only; labels are the report's money strings.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from common.charts import compact, nice_step


@dataclass
class DistributionChart:
    width: int
    height: int
    axis_y: float
    plot_x: float
    plot_right: float
    dots: list[dict]
    ticks: list[dict]
    median: dict | None = None
    box: dict | None = None
    fences: list[dict] = field(default_factory=list)


def distribution_chart(report: dict, *, width: int = 760, height: int = 170) -> DistributionChart | None:
    dist = report["price_distribution"]
    if not dist["amounts"]:
        return None
    outliers = {o["bid_id"]: o for o in dist["outliers"]}
    bids = {b["id"]: b for b in report["bids"]}
    counted = [bids[i] for i in dist["counted_bid_ids"] if i in bids]
    fences = dist.get("fences") or {}
    values = [float(b["amount"]) for b in counted] + [float(v) for v in fences.values()]
    step = nice_step(max(max(values) - min(values), max(values) * 0.02, 1.0), 5)
    low, high = math.floor(min(values) / step) * step, math.ceil(max(values) / step) * step
    if high == low:
        high = low + step
    plot_x, plot_right, axis_y = 56.0, width - 24.0, height - 34.0

    def x(value) -> float:
        return plot_x + (float(value) - low) / (high - low) * (plot_right - plot_x)

    stacks: dict[str, int] = {}
    dots = []
    for bid in sorted(counted, key=lambda b: float(b["amount"])):
        level = stacks.get(bid["amount"], 0)
        stacks[bid["amount"]] = level + 1
        outlier = outliers.get(bid["id"])
        dots.append({"x": x(bid["amount"]), "y": axis_y - 30 - level * 14, "outlier": outlier is not None,
                     "title": f"{bid['supplier']['name']}: {bid['amount']}"
                              + (f" — outlier ({outlier['side']})" if outlier else "")})
    ticks = [{"x": x(low + i * step), "label": compact(low + i * step)}
             for i in range(int(round((high - low) / step)) + 1)]
    chart = DistributionChart(width, height, axis_y, plot_x, plot_right, dots, ticks)
    if dist["median"] is not None:
        chart.median = {"x": x(dist["median"]), "label": f"median {dist['median']}"}
    if dist.get("quartiles"):
        left, right = x(dist["quartiles"]["q1"]), x(dist["quartiles"]["q3"])
        chart.box = {"x": left, "width": max(right - left, 1.0), "y": axis_y - 56, "height": 44}
    chart.fences = [{"x": x(value), "label": f"{name} fence"} for name, value in fences.items()]
    return chart
