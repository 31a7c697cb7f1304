"""Scores of quotes relative to each other (product.md §4.1, §4.3; api.md "Auctions").

Every function is pure: the same quotes and settings give the same scores, bit for bit,
whatever order the quotes are passed in (they are evaluated in bid-id order). Scores run
0-100, higher is better. `Score.value` keeps full precision for ranking; `Score.display`
and the breakdown are rounded to 6 decimal places for people.

Breakdown keys are criterion ids plus "price"; keys starting with "_" describe the quote as a
whole (criterion ids start with a letter, so they never collide).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from .criteria import PRICE, Criterion, canonical, normalised_weights, parse_criteria, preference, response
from .quotes import DECIMAL_CONTEXT, Quote, decimal_string

DISPLAY_PLACES = 6
Criteria = Iterable[Mapping[str, Any] | Criterion]


@dataclass(frozen=True)
class Score:
    bid_id: int
    value: float  # full precision: rank on this
    breakdown: dict[str, dict[str, Any]]

    @property
    def display(self) -> float:
        return round(self.value, DISPLAY_PLACES)


def _shown(x: float | Decimal) -> float:
    return round(float(x), DISPLAY_PLACES)


def _best_first(scores: list[Score]) -> list[Score]:
    return sorted(scores, key=lambda s: (-s.value, s.bid_id))


def price_scores(quotes: Iterable[Quote]) -> list[Score]:
    """Price score = lowest total / this total × 100 (product.md §4.1), best (lowest total) first."""
    ordered = canonical(quotes)
    if not ordered:
        return []
    lowest = min(q.total for q in ordered)
    scores = []
    for q in ordered:
        ratio = DECIMAL_CONTEXT.divide(lowest, q.total)
        value = float(DECIMAL_CONTEXT.multiply(ratio, Decimal(100)))
        scores.append(Score(q.bid_id, value, {PRICE: {
            "value": decimal_string(q.total), "normalised": _shown(ratio), "weight": 1.0,
            "contribution": _shown(value)}}))
    return _best_first(scores)


def _min_max_price(quotes: Sequence[Quote]) -> np.ndarray:
    """(max − total)/(max − min), computed exactly in Decimal; all equal → 1.0."""
    totals = [q.total for q in quotes]
    low, high = min(totals), max(totals)
    if low == high:
        return np.ones(len(quotes))
    span = high - low
    return np.array([float(DECIMAL_CONTEXT.divide(high - t, span)) for t in totals])


def _min_max(quotes: Sequence[Quote], criterion: Criterion) -> np.ndarray:
    """Benefit (v−min)/(max−min), cost (max−v)/(max−min); all equal → 1.0.

    A BOOLEAN is 1.0 when it holds the preferred value (true, or false when
    higher_is_better is off) and 0.0 otherwise, whatever the other quotes answered.
    """
    if criterion.type == "BOOLEAN":
        return np.array([preference(q, criterion) for q in quotes])
    values = np.array([float(response(q, criterion)) for q in quotes])
    low, high = values.min(), values.max()
    if low == high:
        return np.ones(len(quotes))
    spread = high - low
    normalised: np.ndarray = (values - low) / spread if criterion.higher_is_better else (high - values) / spread
    return normalised


def _additive(quotes: Iterable[Quote], criteria: Sequence[Criterion], weights: np.ndarray) -> list[Score]:
    """Σ wᵢ·sᵢ × 100 over min–max normalised price and criteria (weights already sum to 1)."""
    ordered = canonical(quotes)
    if not ordered:
        return []
    normalised = np.column_stack([_min_max_price(ordered), *(_min_max(ordered, c) for c in criteria)])
    contributions = normalised * weights * 100
    totals = contributions.sum(axis=1)
    scores = []
    for i, q in enumerate(ordered):
        values = [decimal_string(q.total), *(response(q, c) for c in criteria)]
        ids = [PRICE, *(c.id for c in criteria)]
        breakdown = {cid: {"value": values[j], "normalised": _shown(normalised[i, j]), "weight": _shown(weights[j]),
                           "contribution": _shown(contributions[i, j])} for j, cid in enumerate(ids)}
        scores.append(Score(q.bid_id, float(totals[i]), breakdown))
    return _best_first(scores)


def weighted_sum(quotes: Iterable[Quote], criteria: Criteria, price_weight: float) -> list[Score]:
    """WEIGHTED_SUM: weights from `price_weight` and each criterion's `weight`, normalised to sum 1."""
    parsed = parse_criteria(criteria)
    weights = normalised_weights([price_weight, *(c.weight for c in parsed)])
    return _additive(quotes, parsed, weights)


def ahp(quotes: Iterable[Quote], criteria: Criteria, pairwise_weights: Mapping[str, float]) -> list[Score]:
    """AHP: the stored principal-eigenvector weights (`settings["pairwise"]["weights"]`, keyed by
    "price" and criterion ids), then the same normalisation and aggregation as WEIGHTED_SUM.

    The stored weights are rounded to 6 places, so they are scaled to sum exactly 1 again.
    """
    parsed = parse_criteria(criteria)
    keys = [PRICE, *(c.id for c in parsed)]
    missing = [k for k in keys if k not in pairwise_weights]
    extra = sorted(set(pairwise_weights) - set(keys))
    if missing or extra:
        raise ValueError(f"AHP weights must cover exactly price and the criteria (missing {missing}, extra {extra}).")
    weights = normalised_weights([float(pairwise_weights[k]) for k in keys])
    return _additive(quotes, parsed, weights)


def topsis(quotes: Iterable[Quote], criteria: Criteria, price_weight: float) -> list[Score]:
    """TOPSIS (Hwang & Yoon), the standard method; score = closeness × 100.

    rᵢⱼ = xᵢⱼ/√Σₖxₖⱼ² (an all-zero column stays 0); vᵢⱼ = wⱼrᵢⱼ with weights summing to 1;
    ideal best/worst per column (max/min for benefit, min/max for cost; price is cost on the
    total); d⁺, d⁻ Euclidean; closeness d⁻/(d⁺+d⁻), and 1.0 when both are 0 (all quotes alike).
    A BOOLEAN enters as 1 when it holds the preferred value and 0 otherwise, as a benefit
    column: for a cost boolean (higher_is_better off) `false` is the 1.
    """
    parsed = parse_criteria(criteria)
    ordered = canonical(quotes)
    if not ordered:
        return []
    weights = normalised_weights([price_weight, *(c.weight for c in parsed)])
    columns = [[float(q.total) for q in ordered]]
    benefit = [False]
    for c in parsed:
        if c.type == "BOOLEAN":
            columns.append([preference(q, c) for q in ordered])
            benefit.append(True)
        else:
            columns.append([float(response(q, c)) for q in ordered])
            benefit.append(c.higher_is_better)
    x = np.array(columns, dtype=float).T
    is_benefit = np.array(benefit)
    norms = np.sqrt((x ** 2).sum(axis=0))
    r = np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)
    v = r * weights
    best = np.where(is_benefit, v.max(axis=0), v.min(axis=0))
    worst = np.where(is_benefit, v.min(axis=0), v.max(axis=0))
    d_best = np.sqrt(((v - best) ** 2).sum(axis=1))
    d_worst = np.sqrt(((v - worst) ** 2).sum(axis=1))
    spread = d_best + d_worst
    closeness = np.divide(d_worst, spread, out=np.ones_like(spread), where=spread > 0)
    ids = [PRICE, *(c.id for c in parsed)]
    scores = []
    for i, q in enumerate(ordered):
        values = [decimal_string(q.total), *(response(q, c) for c in parsed)]
        breakdown: dict[str, dict[str, Any]] = {cid: {
            "value": values[j], "normalised": _shown(r[i, j]), "weight": _shown(weights[j]),
            "weighted": _shown(v[i, j]), "ideal_best": _shown(best[j]), "ideal_worst": _shown(worst[j]),
        } for j, cid in enumerate(ids)}
        breakdown["_topsis"] = {"distance_to_best": _shown(d_best[i]), "distance_to_worst": _shown(d_worst[i]),
                                "closeness": _shown(closeness[i])}
        scores.append(Score(q.bid_id, float(closeness[i] * 100), breakdown))
    return _best_first(scores)
