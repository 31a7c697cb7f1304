"""Chart axes shared by every chart: the evaluation page's SVG, the fairness report's SVG
and PDF, the simulation chart. Geometry only; each caller draws."""
from __future__ import annotations

import math


def nice_step(maximum: float, target_ticks: int = 5) -> float:
    """A round tick step (1, 2, 2.5 or 5 × 10^k) giving about `target_ticks` ticks up to `maximum`."""
    if maximum <= 0:
        return 1.0
    raw = maximum / target_ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def compact(amount: float) -> str:
    """Axis labels: 12 500 → "12.5k", 2 000 000 → "2M"."""
    for limit, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= limit:
            text = f"{amount / limit:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return f"{amount:g}"
