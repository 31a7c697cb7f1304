"""Percentiles of latencies (statistics.quantiles, inclusive: numpy's default linear method)."""
from __future__ import annotations

import statistics


def percentiles(values: list[float], qs: tuple[int, ...] = (50, 95, 99)) -> list[float]:
    """The q-th percentiles (q in 1…99) of values; NaN for no values."""
    if not values:
        return [float("nan")] * len(qs)
    if len(values) == 1:
        return [float(values[0])] * len(qs)
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return [cuts[q - 1] for q in qs]


def percentile(values: list[float], q: int) -> float:
    return percentiles(values, (q,))[0]


def ms(values: list[float]) -> str:
    """'p50 … p95 … p99 … mean … ms' of latencies in seconds, '—' for none."""
    if not values:
        return "—"
    p50, p95, p99 = (v * 1000 for v in percentiles(values))
    return f"p50 {p50:7.1f}  p95 {p95:7.1f}  p99 {p99:7.1f}  mean {statistics.fmean(values) * 1000:7.1f} ms"


def slope(xs: list[float], ys: list[float]) -> float:
    """The least-squares slope of ys over xs (a leak in a soak: MiB per cycle); NaN for fewer
    than two distinct xs."""
    if len(xs) < 2 or len(set(xs)) < 2:
        return float("nan")
    return statistics.linear_regression(xs, ys).slope
