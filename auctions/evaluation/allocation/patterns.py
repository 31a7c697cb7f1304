"""Per-line supplier patterns of a SPLIT award (see split_patterns.py for how they are used).

A pattern is the set of suppliers a line is split between, every member supplying at least
its minimum. Given the set, the line's cheapest allocation is a greedy fill: each member its
minimum, the rest to members in (price, preference rank) order up to their maximum, which is
exact in integers and also the least preference weight among the cheapest allocations.
"""
from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass

import numpy as np

from .split import SplitFormulation
from .split_lines import plans

PATTERN_LIMIT = 300_000  # patterns over all lines; beyond it the compact model is used


@dataclass
class Patterns:
    """Every feasible pattern, all lines together (rows of the arrays)."""
    line: np.ndarray  # (P,) line position in plans(form)
    offers: np.ndarray  # (P, width) offer indices (form.offers) in fill order, −1 padded
    members: np.ndarray  # (P, width) supplier positions, padded with len(suppliers)
    cost: np.ndarray  # (P,) int64, minor units
    pref: np.ndarray  # (P,) int64, Σ rank × units
    suppliers: list[int]  # supplier id per position


@functools.lru_cache(maxsize=256)
def _combinations(n: int, size: int) -> np.ndarray:
    """Every `size`-subset of range(n) as rows in lexicographic order (cached: lines share n)."""
    combos = np.array(list(itertools.combinations(range(n), size)), dtype=np.int64).reshape(-1, size)
    combos.setflags(write=False)
    return combos


def enumerate_patterns(form: SplitFormulation) -> Patterns | None:
    """Every pattern of every line, or None when there are more than PATTERN_LIMIT."""
    assert form.max_suppliers is not None
    width = min(form.max_suppliers_per_line or form.max_suppliers, form.max_suppliers)
    line_plans = plans(form)
    count = sum(math.comb(len(p.offers), k) for p in line_plans for k in range(1, min(width, len(p.offers)) + 1))
    if count > PATTERN_LIMIT:
        return None
    suppliers = sorted({o.supplier_id for o in form.offers})
    position = {s: i for i, s in enumerate(suppliers)}
    pad = len(suppliers)
    parts: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
    for li, plan in enumerate(line_plans):
        ks = np.array(sorted(plan.offers, key=lambda k: (form.mip.costs[2 * k], form.tie_costs[2 * k], k)),
                      dtype=np.int64)
        price = np.array([form.mip.costs[2 * k] for k in ks], dtype=np.int64)
        rank = np.array([form.tie_costs[2 * k] for k in ks], dtype=np.int64)
        low = np.array([form.offers[k].min_quantity for k in ks], dtype=np.int64)
        high = np.array([form.offers[k].max_quantity for k in ks], dtype=np.int64)
        for size in range(1, min(width, len(ks)) + 1):
            combos = _combinations(len(ks), size)
            lo, hi = low[combos], high[combos]
            rest = plan.quantity - lo.sum(axis=1)
            fits = (rest >= 0) & (hi.sum(axis=1) >= plan.quantity)
            combos, lo, hi, rest = combos[fits], lo[fits], hi[fits], rest[fits]
            cost = (price[combos] * lo).sum(axis=1)
            pref = (rank[combos] * lo).sum(axis=1)
            for j in range(size):  # members are in (price, rank) order: fill greedily
                take = np.minimum(rest, hi[:, j] - lo[:, j])
                cost += price[combos[:, j]] * take
                pref += rank[combos[:, j]] * take
                rest -= take
            offers = np.full((len(combos), width), -1, dtype=np.int64)
            offers[:, :size] = ks[combos]
            parts.append((li, offers, cost, pref))
    offers = np.concatenate([p[1] for p in parts]) if parts else np.zeros((0, width), dtype=np.int64)
    supplier_of = np.array([position[o.supplier_id] for o in form.offers] + [pad], dtype=np.int64)
    return Patterns(
        line=np.concatenate([np.full(len(p[1]), p[0], dtype=np.int64) for p in parts]) if parts
        else np.zeros(0, dtype=np.int64),
        offers=offers, members=supplier_of[offers],  # −1 indexes the pad entry
        cost=np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, dtype=np.int64),
        pref=np.concatenate([p[3] for p in parts]) if parts else np.zeros(0, dtype=np.int64),
        suppliers=suppliers)


def pattern_units(form: SplitFormulation, offers: np.ndarray, quantity: int) -> dict[int, int]:
    """The greedy fill of one pattern, exactly: offer index → units."""
    ks = [int(k) for k in offers if k >= 0]
    units = {k: form.offers[k].min_quantity for k in ks}
    rest = quantity - sum(units.values())
    for k in ks:
        take = min(rest, form.offers[k].max_quantity - units[k])
        units[k] += take
        rest -= take
    assert rest == 0
    return units
