"""SPLIT awards one line at a time, exactly, by dynamic programming (no LP, no tolerance).

Without `max_suppliers` the lines of a split award are independent: the cheapest allocation
is the cheapest allocation of each line, and among the cheapest the least preference weight
(Σ rank·quantity) is the least of each line. One line is a knapsack with semi-continuous
items: offers in canonical order, state (quantity so far, suppliers so far when
`max_suppliers_per_line` is set), each offer skipped or taking t ∈ [min, max] units. With the
cost linear in t, taking the offer is a sliding-window minimum over the previous row, so an
offer costs O(quantity · log(max − min)) in numpy.

The objective is one exact integer per unit of each offer: `key = price_units · weight + rank`
with `weight` above any line's total preference weight, so ordering by key is ordering by
(cost, preference) lexicographically. Everything stays in int64 below 2**60 (`fits` checks it
first; callers fall back to the full integer program otherwise). Among allocations of equal
cost and equal preference weight the walk back picks one deterministically: an offer is
skipped when skipping keeps the optimum, otherwise it takes the fewest units that do.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

LIMIT = 2 ** 60  # every finite key stays below this
INF = np.int64(2 ** 62)  # "no way to reach this state"; INF ± any key fits in int64


def _window_min(values: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """out[q] = min(values[q − hi .. q − lo]) (indices below 0 are INF), for every q."""
    n = len(values)
    padded = np.concatenate((np.full(hi, INF, dtype=np.int64), values))  # padded[q] = values[q − hi]
    width = hi - lo + 1
    span, table = 1, padded
    while span * 2 <= width:
        table = np.minimum(table[:-span], table[span:])
        span *= 2
    # table[p] = min(padded[p .. p + span − 1]); cover [q, q + width − 1] with two such spans.
    return np.minimum(table[:n], table[width - span:width - span + n])


class LineSolver:
    """One line: `keys[k]` per unit of offer k, its `[lo, hi]` (hi ≤ quantity), at most `limit` offers."""

    def __init__(self, quantity: int, keys: Sequence[int], lo: Sequence[int], hi: Sequence[int],
                 limit: int | None) -> None:
        self.quantity, self.keys, self.lo, self.hi = quantity, list(keys), list(lo), list(hi)
        self.depth = len(self.keys) if limit is None else min(limit, len(self.keys))
        self.limited = limit is not None

    def solve(self, skip: frozenset[int] = frozenset(), walk: bool = True) -> tuple[int, list[int]] | None:
        """The least total key and the units per offer (offers in `skip` take none); None if
        the quantity cannot be met exactly."""
        q_range = np.arange(self.quantity + 1, dtype=np.int64)
        rows = 1 + self.depth if self.limited else 1
        dp = np.full((rows, self.quantity + 1), INF, dtype=np.int64)
        dp[0, 0] = 0
        tables = [dp]
        for k, key in enumerate(self.keys):
            if k not in skip:
                dp = self._take(dp, key, self.lo[k], self.hi[k], q_range)
            if walk:
                tables.append(dp)
        final = dp[:, self.quantity]
        j = int(np.argmin(final))  # the fewest suppliers among the best
        best = int(final[j])
        if best >= LIMIT:
            return None
        if not walk:
            return best, []
        return best, self._walk(tables, j)

    def _take(self, dp: np.ndarray, key: int, lo: int, hi: int, q_range: np.ndarray) -> np.ndarray:
        c = np.int64(key)
        slope = c * q_range
        new = dp.copy()
        sources = range(self.depth) if self.limited else (0,)
        for j in sources:
            row = dp[j]
            if row.min() >= LIMIT:
                continue
            shifted = np.where(row >= LIMIT, INF, row - slope)
            cand = _window_min(shifted, lo, hi) + slope
            cand[cand >= LIMIT] = INF
            target = j + 1 if self.limited else 0
            np.minimum(new[target], cand, out=new[target])
        return new

    def _walk(self, tables: list[np.ndarray], j: int) -> list[int]:
        units = [0] * len(self.keys)
        q = self.quantity
        for k in range(len(self.keys) - 1, -1, -1):
            here, before = tables[k + 1], tables[k]
            value = int(here[j, q])
            if int(before[j, q]) == value:
                continue  # skipping offer k keeps the optimum
            source = j - 1 if self.limited else j
            key, lo, hi = self.keys[k], self.lo[k], min(self.hi[k], q)
            ts = np.arange(lo, hi + 1, dtype=np.int64)
            totals = before[source, q - ts] + np.int64(key) * ts
            hits = np.flatnonzero(totals == value)
            assert len(hits), "dynamic programme walk-back lost the optimum"
            t = int(ts[hits[0]])
            units[k], q, j = t, q - t, source
        assert q == 0 and (not self.limited or j == 0)
        return units


# The walk back keeps one table per offer: (offers + 1) × (suppliers per line + 1) × (quantity + 1)
# int64s. Beyond this many (160 MB) the full integer program is used instead.
MAX_CELLS = 20_000_000


def fits(quantity: int, keys: Sequence[int], limit: int | None = None) -> bool:
    """Whether every key sum of this line stays below LIMIT (int64-exact with INF headroom)
    and its tables stay within MAX_CELLS."""
    rows = 1 if limit is None else min(limit, len(keys)) + 1
    return (all(k >= 0 for k in keys) and max(keys, default=0) * quantity < LIMIT
            and (len(keys) + 1) * rows * (quantity + 1) <= MAX_CELLS)
