"""SPLIT awards under `max_suppliers`, exactly: branch and price over per-line patterns.

A pattern is the set of suppliers a line is split between. Given the set, every member
supplying at least its minimum, the line's cheapest allocation is a greedy fill: each member
its minimum, the rest to members in (price, preference rank) order up to their maximum. That
is exact in integers and is also the least preference weight among the cheapest, so a pattern
carries both objectives. Every optimal award is cost-minimal within each line's pattern
(otherwise re-filling that line would make it cheaper), so the award is: one pattern per
line; a supplier in a chosen pattern is used (z_s), Σ z ≤ max_suppliers.

Why not the compact model (split.py, `y ≤ z`): its LP lets every supplier take a sliver of
every line with a fractional y, so its bound barely sees the supplier limit and HiGHS
branches for tens of seconds at 50 × 20. The pattern LP's bound is the per-line convex hull
(Dantzig–Wolfe); the gap left is a fraction of a percent.

- Every feasible pattern of at most min(max_suppliers_per_line, max_suppliers) members is
  enumerated per line in numpy; more than PATTERN_LIMIT in all → TooHard (the caller solves
  the compact model).
- A node's LP by column generation: the LP over a pool, every pattern priced from its duals
  in one sparse product, the most negative per line join, until none is negative. An
  artificial column per line, dearer than any real award, keeps every LP feasible.
- The node's bound is weak duality with those duals (valid for any duals of the right sign,
  so LP tolerances cannot make it wrong; a relative margin covers float error).
- Branching on z (the supplier used or not), best bound first. When z is integral the node's
  awards within the used suppliers are one exact evaluation over the patterns (`leaf`);
  awards in it using any other supplier are bounded by one more LP with Σ z ≥ 1 over those.
- The award orders by (cost, preference weight). The LP sees cost only (a preference step is
  ~1e-13 of it, below any LP tolerance), so a node is pruned only when it cannot even tie
  the best cost; leaves compare exactly in integers. VCG re-solves (cost alone) prune ties.

The VCG re-solves share one master: the winner's z fixed to zero, the pool kept warm.
Tests: auctions/tests/allocation/test_patterns.py (against the compact model and brute force).
"""
from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .highs_model import HighsColumns, SolverError
from .patterns import Patterns, enumerate_patterns, pattern_units
from .split import SplitFormulation
from .split_lines import full_columns, plans

NEGATIVE = -1e-6  # a reduced cost below this (minor currency units) enters the pool
PER_ROUND = 25  # patterns per line added per pricing round
SEED = 3  # the cheapest patterns per line the pool starts with
NODE_LIMIT = 5_000  # branch-and-price nodes before giving up (then the compact model)
# The LP works in floats: a bound is trusted only after this relative margin (the float
# error in computing it is orders of magnitude smaller).
BOUND_MARGIN = 1e-9


def branch_on(free: list[int], z: np.ndarray) -> int:
    """The supplier to branch on: the most fractional z (lowest position on ties)."""
    return min(free, key=lambda s: (abs(z[s] - 0.5), s))


class TooHard(Exception):
    """Branch and price gave up (NODE_LIMIT): the caller solves the compact model."""


@dataclass
class Best:
    """An award: one pattern per line, exact objective (cost, preference weight)."""
    cost: int
    pref: int
    chosen: list[int]


class PatternMaster:
    """The LP over a growing pool of patterns, and branch and price on z (supplier used)."""

    def __init__(self, form: SplitFormulation, patterns: Patterns, *, lexicographic: bool) -> None:
        """`lexicographic`: the award orders by cost, then preference weight; otherwise (VCG)
        by cost alone. The LP always minimises cost (a preference step is ~1e-13 of it, below
        any LP tolerance): the preference decides at the leaves, and ties in cost are not
        pruned (`_prunes`)."""
        self.form, self.p, self.lexicographic = form, patterns, lexicographic
        self.plans = plans(form)
        self.n_lines, self.n_suppliers = len(self.plans), len(patterns.suppliers)
        position = {s: i for i, s in enumerate(patterns.suppliers)}
        link: dict[tuple[int, int], int] = {}
        for li, plan in enumerate(self.plans):
            for k in plan.offers:
                link.setdefault((li, position[form.offers[k].supplier_id]), self.n_lines + len(link))
        self.limit_row = self.n_lines + len(link)
        self.rows = self.limit_row + 1
        # The link row of each pattern member; the pad points one past the rows (a zero dual).
        lookup = np.full((self.n_lines, self.n_suppliers + 1), self.rows, dtype=np.int64)
        for (li, s), r in link.items():
            lookup[li, s] = r
        self.link = lookup[patterns.line[:, None], patterns.members]
        n = len(patterns.cost)
        real = self.link < self.rows
        # Pattern j's column in the rows (its line and its members' links), for reduced costs
        # d = scaled − A·y in one sparse product; and its members, for node exclusions.
        self.columns = sparse.csr_array(
            (np.ones(n + real.sum()), (np.concatenate([np.arange(n), np.nonzero(real)[0]]),
                                       np.concatenate([patterns.line, self.link[real]]))),
            shape=(n, self.rows))
        self.size = real.sum(axis=1)
        self.membership = sparse.csr_array(
            (np.ones(real.sum()), (np.nonzero(real)[0], patterns.members[real])), shape=(n, self.n_suppliers))
        # z_s's column: −1 on each of its link rows (+1 on the limit row, added apart)
        self.z_columns = sparse.csr_array(
            (np.full(len(link), -1.0), ([s for (_, s) in link], list(link.values()))), shape=(self.n_suppliers, self.rows))
        z_links = [[r for (_, s2), r in link.items() if s2 == s] for s in range(self.n_suppliers)]
        lower = [1.0] * self.n_lines + [-math.inf] * len(link) + [-math.inf]
        upper = [1.0] * self.n_lines + [0.0] * len(link) + [float(form.max_suppliers)]
        self.model = HighsColumns(lower, upper, form.solver_options)
        self.model.add_columns([0.0] * self.n_suppliers, [1] * self.n_suppliers,
                               [[*rows, self.limit_row] for rows in z_links],
                               [[-1] * len(rows) + [1] for rows in z_links])
        # One artificial column per line keeps every LP feasible; its cost (set with the
        # objective) is above any award of real patterns.
        self.model.add_columns([0.0] * self.n_lines, [1] * self.n_lines, [[li] for li in range(self.n_lines)],
                               [[1]] * self.n_lines)
        self.first = self.n_suppliers + self.n_lines  # first pattern column
        self.column_of = np.full(len(patterns.cost), -1, dtype=np.int64)
        self.pattern_at = np.zeros(0, dtype=np.int64)
        top = [int(patterns.cost[patterns.line == li].max(initial=0)) for li in range(self.n_lines)]
        big = sum(top) + 1
        self.artificial_cost = big
        # The LP sees costs / scale (a power of two, so exact): HiGHS's dual tolerance is
        # absolute (1e-7) and fails on costs ~1e8; a unit of cost stays far above it.
        self.scale = 2.0 ** max(0, math.ceil(math.log2(big / 1e4)))
        self.scaled = patterns.cost / self.scale
        self.model.set_costs(np.concatenate([np.zeros(self.n_suppliers), np.full(self.n_lines, big / self.scale)]))
        self._add(self._seed())

    def _seed(self) -> np.ndarray:
        """The first columns: each line's SEED cheapest patterns."""
        seed = []
        for li in range(self.n_lines):
            mine = np.flatnonzero(self.p.line == li)
            seed.extend(mine[np.argsort(self.p.cost[mine], kind="stable")[:SEED]])
        return np.array(seed, dtype=np.int64)

    def _add(self, ids: np.ndarray) -> None:
        ids = ids[self.column_of[ids] < 0]
        if not len(ids):
            return
        # Each column: its line row, then its members' link rows (the pad, past the rows, left out).
        entries = np.concatenate([self.p.line[ids, None], self.link[ids]], axis=1)
        real = entries < self.rows
        added = self.model.add_columns_packed(self.scaled[ids], np.ones(len(ids)), real.sum(axis=1), entries[real])
        self.column_of[ids] = np.array(added, dtype=np.int64)
        self.pattern_at = np.concatenate([self.pattern_at, ids])

    def _reduced(self, duals: np.ndarray) -> np.ndarray:
        return self.scaled - self.columns @ duals

    def _within(self, suppliers: frozenset[int]) -> np.ndarray:
        """Patterns whose members are all in `suppliers`."""
        indicator = np.zeros(self.n_suppliers)
        indicator[list(suppliers)] = 1.0
        return self.membership @ indicator == self.size

    def _touching(self, suppliers: frozenset[int]) -> np.ndarray:
        """Patterns with a member in `suppliers`."""
        if not suppliers:
            return np.zeros(len(self.size), dtype=bool)
        indicator = np.zeros(self.n_suppliers)
        indicator[list(suppliers)] = 1.0
        return self.membership @ indicator > 0

    # -- one node --------------------------------------------------------------------------

    def relax(self, zero: frozenset[int], one: frozenset[int],
              cover: frozenset[int] = frozenset()) -> tuple[float, np.ndarray]:
        """The node's LP by column generation: (a valid lower bound on the cost of any award
        in the node, z values). Node: z = 0 for `zero`, z = 1 for `one` (supplier positions),
        and with `cover`, at least one of those used (a temporary row)."""
        if cover:
            self.model.add_row(sorted(cover), [1] * len(cover), 1, None)
        try:
            return self._relax(zero, one, cover)
        except SolverError as error:  # an LP HiGHS could not finish: the compact model decides
            raise TooHard from error
        finally:
            if cover:
                self.model.delete_last_row()

    def _relax(self, zero: frozenset[int], one: frozenset[int], cover: frozenset[int]) -> tuple[float, np.ndarray]:
        excluded = self._touching(zero)
        z_lower = np.zeros(self.n_suppliers)
        z_upper = np.ones(self.n_suppliers)
        z_lower[list(one)] = 1.0
        z_upper[list(zero)] = 0.0
        self.model.set_bounds(np.arange(self.n_suppliers), z_lower, z_upper)
        self.model.set_bounds(np.arange(self.first, self.first + len(self.pattern_at)),
                              np.zeros(len(self.pattern_at)), (~excluded[self.pattern_at]).astype(float))
        while True:
            _, duals = self.model.relaxation()
            d = self._reduced(duals[:self.rows])
            bound = self._bound(duals, excluded, z_lower, z_upper, cover, d)
            if self._prunes(bound):  # the bound holds at every round: stop as soon as it prunes
                return bound, self.model.values()[:self.n_suppliers]
            d[excluded | (self.column_of >= 0)] = np.inf
            candidates = np.flatnonzero(d < NEGATIVE)
            if not len(candidates):
                break
            order = candidates[np.lexsort((d[candidates], self.p.line[candidates]))]
            lines = self.p.line[order]
            rank_in_line = np.arange(len(order)) - np.searchsorted(lines, lines)
            self._add(order[rank_in_line < PER_ROUND])
        return bound, self.model.values()[:self.n_suppliers]

    def _bound(self, duals: np.ndarray, excluded: np.ndarray, z_lower: np.ndarray, z_upper: np.ndarray,
               cover: frozenset[int], d: np.ndarray | None = None) -> float:
        """Weak duality with the final duals, sign-corrected so that any y is valid: every
        feasible award x has key(x) ≥ y·b + Σ_j min(d_j·l_j, d_j·u_j) over the real columns
        (patterns with u = 0 where excluded, z within the node's bounds; no artificials)."""
        y = duals[:self.rows].copy()
        wrong = y[self.n_lines:] > 0.0
        if wrong.any() or d is None:
            y[self.n_lines:][wrong] = 0.0  # ≤ rows of a minimisation: dual ≤ 0
            d = self._reduced(y)
        d = d.copy()
        d[excluded] = 0.0
        z = -(self.z_columns @ y) - y[self.limit_row]  # c_z = 0: d_z = −(−Σ links) − limit dual
        base = y[:self.n_lines].sum() + y[self.limit_row] * self.form.max_suppliers
        if cover:  # Σ z ≥ 1 over the cover: dual ≥ 0
            extra = max(0.0, float(duals[self.rows]))
            base += extra
            z[sorted(cover)] -= extra
        self.z_reduced = z * self.scale  # what fixing z_s to 1 (d > 0) or 0 (d < 0) adds to the bound
        return self.scale * float(base + np.minimum(z * z_lower, z * z_upper).sum() + np.minimum(d, 0.0).sum())

    def leaf(self, allowed: frozenset[int]) -> Best | None:
        """The best award using only suppliers in `allowed` (positions): per line the
        pattern with the least (cost, pref) among those within the set; exact."""
        ids = np.flatnonzero(self._within(allowed))
        pref = self.p.pref[ids] if self.lexicographic else np.zeros(len(ids), dtype=np.int64)
        order = ids[np.lexsort((ids, pref, self.p.cost[ids], self.p.line[ids]))]
        lines = self.p.line[order]
        firsts = order[np.r_[True, lines[1:] != lines[:-1]]] if len(order) else order
        if len(firsts) != self.n_lines:
            return None
        chosen = [int(j) for j in firsts]
        return Best(sum(int(self.p.cost[j]) for j in chosen),
                    sum(int(self.p.pref[j]) for j in chosen) if self.lexicographic else 0, chosen)


    # -- branch and price ------------------------------------------------------------------

    def search(self, zero: frozenset[int] = frozenset()) -> Best | None:
        """The optimum (by the current objective) with suppliers `zero` excluded, None when
        nothing is feasible. Best-first branch and price on z; leaves are exact."""
        everyone = frozenset(range(self.n_suppliers)) - zero
        self.best: Best | None = None
        self.nodes = 0
        unlimited = self.leaf(everyone)  # the optimum ignoring max_suppliers ...
        if unlimited is None or len(self.suppliers_of(unlimited)) <= self.form.max_suppliers:
            return unlimited  # ... is the optimum when it keeps the limit (or nothing is feasible)
        heap: list[tuple[float, int, frozenset[int], frozenset[int]]] = [(-math.inf, 0, zero, frozenset())]
        counter = itertools.count(1)
        nodes = 0
        while heap:
            parent_bound, _, off, on = heapq.heappop(heap)
            if self._prunes(parent_bound):
                continue
            nodes += 1
            if nodes > NODE_LIMIT:
                raise TooHard
            bound, z = self.relax(off, on)
            if self._prunes(bound) or bound > self.artificial_cost * (1 - BOUND_MARGIN):
                continue  # nothing better here, or no award of real patterns at all
            free = [s for s in range(self.n_suppliers) if s not in off and s not in on]
            if len(on) >= self.form.max_suppliers or not free:
                self._offer(self.leaf(on))  # the node holds only awards within `on`
                continue
            used = [s for s in free if z[s] > 0.5]
            if len(on) + len(used) <= self.form.max_suppliers:
                self._offer(self.leaf(on | frozenset(used)))
            if self._prunes(bound):
                continue
            if all(abs(z[s] - round(z[s])) <= 1e-6 for s in free):
                # LP integral but not provably closed (a tie within the float margin):
                # awards within on ∪ used are the leaf above; every other award uses a first
                # supplier f outside them, one child each.
                unused = [s for s in free if s not in used]
                if len(on) >= self.form.max_suppliers or not unused:
                    continue
                # One LP for all of them first: some supplier outside on ∪ used is used.
                if self._prunes(self.relax(off, on, cover=frozenset(unused))[0]):
                    continue
                for i, f in enumerate(unused):
                    if len(on) < self.form.max_suppliers:
                        up = bound + max(0.0, self.z_reduced[f])
                        heapq.heappush(heap, (up, next(counter), off | frozenset(unused[:i]), on | {f}))
                continue
            s = branch_on(free, z)
            d = self.z_reduced[s]
            heapq.heappush(heap, (bound + max(0.0, d), next(counter), off, on | {s}))
            heapq.heappush(heap, (bound + max(0.0, -d), next(counter), off | {s}, on))
        self.nodes = nodes
        return self.best

    def suppliers_of(self, best: Best) -> set[int]:
        return {int(s) for j in best.chosen for s in self.p.members[j] if s < self.n_suppliers}

    def _offer(self, candidate: Best | None) -> None:
        if candidate is not None and (self.best is None or self._better(candidate, self.best)):
            self.best = candidate

    def _better(self, a: Best, b: Best) -> bool:
        return (a.cost, a.pref) < (b.cost, b.pref)

    def _prunes(self, bound: float) -> bool:
        """Whether nothing in a node with this cost bound beats the best so far. Costs are
        integers: bound − margin > cost(best) − 1 proves every award there dearer; with the
        preference deciding ties, only bound − margin > cost(best) proves it (equal cost
        may have less preference weight). The margin covers float error in the bound."""
        if self.best is None:
            return False
        step = 0 if self.lexicographic else 1
        return bound - (BOUND_MARGIN * abs(self.best.cost) + 1e-6) > self.best.cost - step

    def units(self, best: Best) -> list[int]:
        """Units per offer (form.offers order), checked exactly against the compact model's
        rows (quantities, minimums, both limits) and its cost."""
        units = [0] * len(self.form.offers)
        if sorted(int(self.p.line[j]) for j in best.chosen) != list(range(self.n_lines)):
            raise SolverError("The pattern search did not choose one pattern per line.")
        for j in best.chosen:
            for k, t in pattern_units(self.form, self.p.offers[j], self.plans[int(self.p.line[j])].quantity).items():
                units[k] = t
        columns = full_columns(self.form, units)
        if not self.form.mip.feasible(columns) or self.form.mip.cost(columns) != best.cost:
            raise SolverError("The pattern award fails the exact check.")
        return units


def solve(form: SplitFormulation) -> list[int] | None:
    """Units per offer of the two-stage optimum under max_suppliers, None when infeasible.
    Raises TooHard when this method does not apply or gives up."""
    form.mip.check_exact_range()  # what the compact model refuses, this refuses too
    patterns = enumerate_patterns(form)
    if patterns is None:
        raise TooHard
    master = PatternMaster(form, patterns, lexicographic=True)
    best = master.search()
    return None if best is None else master.units(best)


def optimum_without(form: SplitFormulation, suppliers: list[int]) -> dict[int, int | None]:
    """The least cost without each supplier (None: infeasible without it). One master, its
    pool kept warm between the re-solves. Raises TooHard as `solve`."""
    form.mip.check_exact_range()
    patterns = enumerate_patterns(form)
    if patterns is None:
        raise TooHard
    master = PatternMaster(form, patterns, lexicographic=False)
    position = {s: i for i, s in enumerate(patterns.suppliers)}
    result = {}
    for s in suppliers:
        best = master.search(frozenset([position[s]]) if s in position else frozenset())
        result[s] = None if best is None else best.cost
    return result
