"""Multi-attribute criteria as evaluation reads them from the stored settings.

`settings["criteria"]` entries (auctions.mechanisms.multi_attribute.CriterionSettings) carry
id, name, weight (0-100), type NUMERIC | RATING | BOOLEAN and higher_is_better. Bounds are
enforced when a bid is accepted (rule `criteria_responses_valid`), so they are not needed here.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .quotes import CriterionValue, Quote

CRITERION_TYPES = ("NUMERIC", "RATING", "BOOLEAN")
PRICE = "price"  # the quote's total: always a cost criterion, and a reserved criterion id


@dataclass(frozen=True)
class Criterion:
    id: str
    weight: float
    type: str = "NUMERIC"
    higher_is_better: bool = True
    name: str = ""

    @classmethod
    def from_settings(cls, raw: Mapping[str, Any] | Criterion) -> Criterion:
        if isinstance(raw, Criterion):
            return raw
        return cls(id=raw["id"], weight=float(raw.get("weight", 0)), type=raw.get("type", "NUMERIC"),
                   higher_is_better=bool(raw.get("higher_is_better", True)), name=raw.get("name", ""))


def parse_criteria(criteria: Iterable[Mapping[str, Any] | Criterion]) -> tuple[Criterion, ...]:
    """The criteria in settings order; refuses what settings validation would have refused."""
    parsed = tuple(Criterion.from_settings(c) for c in criteria)
    ids = [c.id for c in parsed]
    if len(set(ids)) != len(ids) or PRICE in ids:
        raise ValueError(f"Criterion ids must be unique and not \"{PRICE}\": {ids}.")
    for c in parsed:
        if c.type not in CRITERION_TYPES:
            raise ValueError(f"Criterion {c.id}: unknown type {c.type!r}.")
        if not math.isfinite(c.weight) or c.weight < 0:
            raise ValueError(f"Criterion {c.id}: the weight must be a finite number >= 0.")
    return parsed


def response(quote: Quote, criterion: Criterion) -> CriterionValue:
    """The quote's response to a criterion, type-checked (bool for BOOLEAN, a finite number else)."""
    if criterion.id not in quote.criteria:
        raise ValueError(f"Quote {quote.bid_id} has no response for criterion {criterion.id}.")
    value = quote.criteria[criterion.id]
    if criterion.type == "BOOLEAN":
        if not isinstance(value, bool):
            raise ValueError(f"Quote {quote.bid_id}: {criterion.id} needs true/false, not {value!r}.")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"Quote {quote.bid_id}: {criterion.id} needs a finite number, not {value!r}.")
    return value


def preference(quote: Quote, criterion: Criterion) -> float:
    """The response on a larger-is-better scale: booleans 1.0 when they hold the preferred value."""
    value = response(quote, criterion)
    if criterion.type == "BOOLEAN":
        return 1.0 if value == criterion.higher_is_better else 0.0
    return float(value) if criterion.higher_is_better else -float(value)


def normalised_weights(raw: Sequence[float]) -> np.ndarray:
    """Weights scaled to sum 1 (the order is kept: price first, then the criteria)."""
    weights = np.asarray(raw, dtype=float)
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError("Weights must be finite and >= 0.")
    total = weights.sum()
    if total <= 0:
        raise ValueError("The weights must not all be zero.")
    scaled: np.ndarray = weights / total
    return scaled


def canonical(quotes: Iterable[Quote]) -> list[Quote]:
    """Quotes sorted by bid id, so every computation runs in one order whatever order they came in."""
    ordered = sorted(quotes, key=lambda q: q.bid_id)
    bid_ids = [q.bid_id for q in ordered]
    if len(set(bid_ids)) != len(bid_ids):
        raise ValueError("Each bid may appear once.")
    supplier_ids = [q.supplier_id for q in ordered]
    if len(set(supplier_ids)) != len(supplier_ids):
        raise ValueError("Evaluate one quote per supplier (its latest valid version).")
    return ordered
