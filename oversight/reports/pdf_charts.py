"""The PDF's two charts as reportlab drawings, from the report JSON alone.

Bid progression: every bid at (time, amount), the leading price as a step line, withdrawn bids
hollow. Price distribution: the counted quotes on one axis (a strip plot), the median as a line,
Tukey's fences dashed, outliers in red. Floats are for points on the page only.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal

from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Circle, Drawing, Line, String
from reportlab.lib import colors

from common.charts import PricedBid, compact, leading_line, nice_step

TEAL = colors.HexColor("#0f7c80")
GREY = colors.HexColor("#5b6b82")
RED = colors.HexColor("#d1495b")
AMBER = colors.HexColor("#d08a1e")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def progression_drawing(report: dict, width: float = 480, height: float = 190) -> Drawing | None:
    priced = [b for b in report["bids"] if b["amount"] is not None]
    if not priced:
        return None
    start = _when(priced[0]["submitted_at"])

    def offset(when: datetime) -> float:
        return (when - start).total_seconds()

    points = [(offset(_when(bid["submitted_at"])), float(bid["amount"])) for bid in priced]
    withdrawals = [_when(bid["withdrawn_at"]) for bid in priced if bid.get("withdrawn_at")]
    end = max([points[-1][0]] + [offset(when) for when in withdrawals])
    end = max(end, 1.0)  # at least a second, as on the page
    # The leading price falls back when a leading bid is withdrawn (common.charts, as on the page).
    leading = [[(offset(when), float(price)) for when, price in line] for line in leading_line(
        [PricedBid(_when(b["submitted_at"]), Decimal(b["amount"]), _when(b["withdrawn_at"]) if b.get("withdrawn_at")
                   else None) for b in priced], start + timedelta(seconds=end))]
    drawing = Drawing(width, height)
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 55, 30, width - 75, height - 50
    plot.data = [points, *(leading or [points[:1]])]
    plot.joinedLines = 1
    plot.lines[0].strokeColor = colors.transparent
    plot.lines[0].symbol = None
    for index in range(1, len(plot.data)):
        plot.lines[index].strokeColor = TEAL
        plot.lines[index].strokeWidth = 1.5
    minutes = end >= 120
    x_step = nice_step(end / 60 if minutes else end, 5) * (60 if minutes else 1)
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax, plot.xValueAxis.valueStep = 0, end, x_step
    plot.xValueAxis.labelTextFormat = lambda seconds: f"+{seconds / 60:g} min" if minutes else f"+{seconds:g} s"
    low, high = min(p[1] for p in points), max(p[1] for p in points)
    y_step = nice_step(max(high - low, high * 0.02, 1.0), 4)
    plot.yValueAxis.valueMin = math.floor(low / y_step) * y_step
    plot.yValueAxis.valueMax = max(math.ceil(high / y_step) * y_step, plot.yValueAxis.valueMin + y_step)
    plot.yValueAxis.valueStep = y_step
    plot.yValueAxis.labelTextFormat = compact
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontSize = 7
    drawing.add(plot)
    sx = plot.width / (plot.xValueAxis.valueMax - plot.xValueAxis.valueMin)
    sy = plot.height / (plot.yValueAxis.valueMax - plot.yValueAxis.valueMin)
    for bid, (x, y) in zip(priced, points, strict=True):
        cx, cy = plot.x + x * sx, plot.y + (y - plot.yValueAxis.valueMin) * sy
        withdrawn = bid["status"] == "withdrawn"
        drawing.add(Circle(cx, cy, 2.6, fillColor=colors.white if withdrawn else GREY, strokeColor=GREY,
                           strokeWidth=0.8))
    drawing.add(String(plot.x, height - 12, f"Bid progression ({report['rfq']['currency']}): every bid, "
                       "the leading price as a line; hollow = withdrawn", fontSize=8, fillColor=GREY))
    return drawing


def distribution_drawing(report: dict, width: float = 480, height: float = 110) -> Drawing | None:
    dist = report["price_distribution"]
    amounts = [float(a) for a in dist["amounts"]]
    if not amounts:
        return None
    fences = dist.get("fences") or {}
    marks = amounts + [float(v) for v in fences.values()]
    step = nice_step(max(max(marks) - min(marks), max(marks) * 0.02, 1.0), 5)
    low, high = math.floor(min(marks) / step) * step, math.ceil(max(marks) / step) * step
    if high == low:
        high = low + step
    left, right, axis_y = 40.0, width - 20.0, 34.0

    def x(value: float) -> float:
        return left + (value - low) / (high - low) * (right - left)

    drawing = Drawing(width, height)
    drawing.add(Line(left, axis_y, right, axis_y, strokeColor=GREY, strokeWidth=0.8))
    for i in range(int(round((high - low) / step)) + 1):
        value = low + i * step
        drawing.add(Line(x(value), axis_y, x(value), axis_y - 3, strokeColor=GREY, strokeWidth=0.6))
        drawing.add(String(x(value), axis_y - 12, compact(value), fontSize=7, textAnchor="middle", fillColor=GREY))
    for name, value in fences.items():
        fx = x(float(value))
        drawing.add(Line(fx, axis_y, fx, height - 28, strokeColor=AMBER, strokeDashArray=[3, 2], strokeWidth=0.8))
        drawing.add(String(fx, height - 24, f"{name} fence", fontSize=6.5, textAnchor="middle", fillColor=AMBER))
    if dist["median"] is not None:
        mx = x(float(dist["median"]))
        drawing.add(Line(mx, axis_y, mx, height - 28, strokeColor=TEAL, strokeWidth=1.4))
        drawing.add(String(mx, axis_y - 22, f"median {dist['median']}", fontSize=7, textAnchor="middle",
                           fillColor=TEAL))
    outliers = {o["amount"] for o in dist["outliers"]}
    seen: dict[str, int] = {}
    for text in dist["amounts"]:
        stack = seen.get(text, 0)
        seen[text] = stack + 1
        colour = RED if text in outliers else GREY
        drawing.add(Circle(x(float(text)), axis_y + 10 + stack * 8, 3.2, fillColor=colour, strokeColor=colour))
    drawing.add(String(left, height - 12, f"Price distribution of the {dist['count']} counted quotes: median line, "
                       "Tukey fences dashed, outliers red", fontSize=8, fillColor=GREY))
    return drawing
