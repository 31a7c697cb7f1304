"""Chart axes shared by every chart: the evaluation page's SVG, the fairness report's SVG
and PDF, the simulation chart. Geometry only; each caller draws."""
from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple


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


class PricedBid(NamedTuple):
    """What the leading-price line needs of a bid (a Bid row or a report's bid, alike)."""

    submitted_at: datetime
    amount: Decimal
    withdrawn_at: datetime | None = None


def leading_steps(bids: Iterable[PricedBid]) -> list[tuple[datetime, Decimal | None]]:
    """The leading (lowest standing) price over time, as steps [(from, price)]: a step at every
    bid that beats the best, and at every withdrawal that changes it, where the best falls back
    to the lowest bid still standing at that moment (None: no bid stands).

    One function behind the web chart and the PDF's, so the two always draw the same line."""
    listed = list(bids)
    events = sorted([(bid.submitted_at, 0, index) for index, bid in enumerate(listed)]
                    + [(bid.withdrawn_at, 1, index) for index, bid in enumerate(listed) if bid.withdrawn_at])
    standing: set[int] = set()
    at: dict[datetime, Decimal | None] = {}  # the best after the last change at each instant
    for when, kind, index in events:
        if kind == 0:
            standing.add(index)
        else:
            standing.discard(index)
        at[when] = min((listed[i].amount for i in standing), default=None)
    steps: list[tuple[datetime, Decimal | None]] = []
    for when, best in at.items():  # in time order: the events were sorted
        if not steps or steps[-1][1] != best:
            steps.append((when, best))
    return steps


def leading_line(bids: Iterable[PricedBid], end: datetime) -> list[list[tuple[datetime, Decimal]]]:
    """`leading_steps` as the vertices of a step line drawn up to `end`: one polyline per
    stretch of time during which some bid stood (a gap where every bid was withdrawn)."""
    lines: list[list[tuple[datetime, Decimal]]] = []
    current: list[tuple[datetime, Decimal]] | None = None
    for when, best in leading_steps(bids):
        if current is not None:
            current.append((when, current[-1][1]))  # level until this change
        if best is None:
            if current is not None:
                lines.append(current)
            current = None
        elif current is None:
            current = [(when, best)]
        else:
            current.append((when, best))  # the drop (or rise, after a withdrawal)
    if current is not None:
        current.append((max(end, current[-1][0]), current[-1][1]))
        lines.append(current)
    return lines
