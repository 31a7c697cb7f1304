"""Pareto dominance between quotes: the order no score or tie-break may contradict.

A quote weakly dominates another when it is at least as good on everything evaluated: it is
complete if the other is, its total is at most the other's, and its response to every
criterion is at least as good (whatever the criterion's weight, including 0). It strictly
dominates when, in addition, the other does not weakly dominate it back.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from .criteria import Criterion, preference
from .quotes import Quote


def weakly_dominates(a: Quote, b: Quote, criteria: Sequence[Criterion]) -> bool:
    if b.complete and not a.complete:
        return False
    if a.total > b.total:
        return False
    return all(preference(a, c) >= preference(b, c) for c in criteria)


def strictly_dominates(a: Quote, b: Quote, criteria: Sequence[Criterion]) -> bool:
    return weakly_dominates(a, b, criteria) and not weakly_dominates(b, a, criteria)


def dominance_layers(quotes: Iterable[Quote], criteria: Sequence[Criterion]) -> list[list[Quote]]:
    """Non-dominated quotes first, then those dominated only by the first layer, and so on.

    Strict dominance is a strict partial order, so each round finds at least one quote; a
    quote always lands in a later layer than every quote that dominates it. Layers list
    quotes by bid id.
    """
    remaining = sorted(quotes, key=lambda q: q.bid_id)
    layers = []
    while remaining:
        layer = [q for q in remaining if not any(strictly_dominates(o, q, criteria) for o in remaining)]
        layers.append(layer)
        taken = {q.bid_id for q in layer}
        remaining = [q for q in remaining if q.bid_id not in taken]
    return layers
