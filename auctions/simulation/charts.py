"""The price distributions of a simulation, one box-and-whisker row per format, as SVG geometry.

Python works out every coordinate (as procurement/views/charts.py does); the template only
draws. Each row: whiskers p5–p95, box p25–p75, the median (p50) as a bar and the expected
total as a dot, on one shared price axis; the reserve (if any) as a dashed line. The view box
is narrow (400 units) so that at 390 px the labels stay legible; wider screens cap it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from common.charts import compact, nice_step

WIDTH, LEFT, RIGHT, TOP, ROW, AXIS = 400, 12, 14, 8, 64, 30
LABELS = {("SEALED_BID", "WHOLE", "FIRST_PRICE"): "Sealed bid · first price (pay as bid)",
          ("SEALED_BID", "WHOLE", "SECOND_PRICE"): "Sealed bid · second price (Vickrey)",
          ("SEALED_BID", "SPLIT", "FIRST_PRICE"): "Sealed bid · split lines · pay as bid",
          ("SEALED_BID", "SPLIT", "VCG"): "Sealed bid · split lines · VCG",
          ("COMBINATORIAL", "BUNDLES", "FIRST_PRICE"): "Bundle auction · pay as bid",
          ("COMBINATORIAL", "BUNDLES", "VCG"): "Bundle auction · VCG",
          ("REVERSE_AUCTION", "WHOLE", "FIRST_PRICE"): "Reverse auction · pay as bid"}


@dataclass
class Row:
    label: str
    summary: str
    y: float  # top of the row
    p5: float = 0.0
    p25: float = 0.0
    p50: float = 0.0
    p75: float = 0.0
    p95: float = 0.0
    mean: float = 0.0
    empty: bool = False  # no run awarded: nothing to draw

    @property
    def mid(self) -> float:
        return self.y + 44

    @property
    def box_width(self) -> float:
        return max(self.p75 - self.p25, 1.0)


@dataclass
class DistributionChart:
    width: int
    height: int
    plot_x: float
    plot_right: float
    axis_y: float
    rows: list[Row]
    ticks: list[dict] = field(default_factory=list)
    reserve_x: float | None = None
    reserve_label: str = ""


def label_for(result: dict) -> str:
    key = (result["auction_type"], result.get("award_mode", "WHOLE"), result["pricing"])
    return LABELS.get(key, " · ".join(key))


def _money(text: str) -> str:
    return f"{Decimal(text):,.0f}"


def distribution_chart(results: list[dict], *, reserve: Decimal | None = None) -> DistributionChart | None:
    drawn = [r for r in results if r.get("distribution")]
    if not drawn:
        return None
    values = [float(r["distribution"][k]) for r in drawn for k in ("min", "max")]
    values += [float(r[k]) for r in drawn for k in ("p5", "p95")]
    if reserve is not None:
        values.append(float(reserve))
    low, high = min(values), max(values)
    step = nice_step(max(high - low, 1.0), 4)
    start, end = (low // step) * step, -(-high // step) * step
    plot_x, plot_right = LEFT, WIDTH - RIGHT

    def x(value: float) -> float:
        return plot_x + (value - start) / (end - start) * (plot_right - plot_x)

    rows = []
    for index, result in enumerate(results):
        y = TOP + index * ROW
        if not result.get("distribution"):
            rows.append(Row(label_for(result), "no run awarded", y, empty=True))
            continue
        summary = (f"expected {_money(result['expected_total'])} · p5–p95 {_money(result['p5'])}–"
                   f"{_money(result['p95'])}")
        rows.append(Row(label_for(result), summary, y, p5=x(float(result["p5"])),
                        p25=x(float(result["distribution"]["p25"])), p50=x(float(result["p50"])),
                        p75=x(float(result["distribution"]["p75"])), p95=x(float(result["p95"])),
                        mean=x(float(result["expected_total"]))))
    axis_y = TOP + len(results) * ROW + 4
    ticks, value = [], start
    while value <= end + step / 2:
        ticks.append({"x": x(value), "label": compact(value)})
        value += step
    chart = DistributionChart(WIDTH, int(axis_y + AXIS), plot_x, plot_right, axis_y, rows, ticks)
    if reserve is not None:
        chart.reserve_x, chart.reserve_label = x(float(reserve)), f"reserve {compact(float(reserve))}"
    return chart
