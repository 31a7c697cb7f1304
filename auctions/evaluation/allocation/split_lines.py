"""SPLIT awards decomposed by line (see line_dp.py): the allocation and the VCG optima.

Without `max_suppliers` nothing couples the lines, so the two-stage optimum (cost, then
preference weight) is each line's own, and OPT(without i) differs from OPT only on the lines
where i supplies something in an optimal solution: removing an offer that an optimum does not
use leaves that line's optimum unchanged. With `max_suppliers` the per-line optimum is a
relaxation: when it happens to use at most `max_suppliers` suppliers it is the optimum;
otherwise it is a lower bound and the start of a heuristic incumbent for the full model.

Every function returns None when the per-line programme cannot be used exactly (keys beyond
int64's exact range), and the callers then solve the full integer program as before.
"""
from __future__ import annotations

from dataclasses import dataclass

from .line_dp import LineSolver, fits
from .split import SplitFormulation


@dataclass
class LinePlan:
    offers: list[int]  # offer indices (into form.offers) on this line, canonical order
    quantity: int


def plans(form: SplitFormulation) -> list[LinePlan]:
    by_line: dict[int, list[int]] = {line.id: [] for line in form.lines}
    for k, o in enumerate(form.offers):
        by_line[o.line_id].append(k)
    return [LinePlan(by_line[line.id], line.quantity) for line in form.lines]


def _solver(form: SplitFormulation, plan: LinePlan, lexicographic: bool) -> LineSolver | None:
    costs = [form.mip.costs[2 * k] for k in plan.offers]
    if lexicographic:
        ranks = [form.tie_costs[2 * k] for k in plan.offers]
        weight = max(ranks, default=0) * plan.quantity + 1  # above any Σ rank·quantity of this line
        keys = [c * weight + r for c, r in zip(costs, ranks, strict=True)]
    else:
        keys = costs
    if not fits(plan.quantity, keys):
        return None
    return LineSolver(plan.quantity, keys, [form.offers[k].min_quantity for k in plan.offers],
                      [form.offers[k].max_quantity for k in plan.offers], form.max_suppliers_per_line)


class Unusable(Exception):
    """The per-line programme cannot be used exactly here: solve the full model."""


def relaxed_units(form: SplitFormulation, lexicographic: bool = True,
                  allowed: frozenset[int] | None = None,
                  without: frozenset[int] = frozenset()) -> list[int] | None:
    """Units per offer (form.offers order) of the per-line optimum, ignoring `max_suppliers`;
    only suppliers in `allowed` (all when None) and none in `without`. None: some line
    cannot be met. Raises Unusable when the keys do not fit."""
    units = [0] * len(form.offers)
    for plan in plans(form):
        solver = _solver(form, plan, lexicographic)
        if solver is None:
            raise Unusable
        skip = frozenset(i for i, k in enumerate(plan.offers)
                         if form.offers[k].supplier_id in without
                         or (allowed is not None and form.offers[k].supplier_id not in allowed))
        found = solver.solve(skip)
        if found is None:
            return None
        for k, t in zip(plan.offers, found[1], strict=True):
            units[k] = t
    return units


def suppliers_of(form: SplitFormulation, units: list[int]) -> set[int]:
    return {form.offers[k].supplier_id for k, t in enumerate(units) if t}


def full_columns(form: SplitFormulation, units: list[int]) -> list[int]:
    """The full model's column vector for these units: x, y per offer, then z per supplier."""
    x = [0] * len(form.mip.costs)
    for k, t in enumerate(units):
        x[2 * k], x[2 * k + 1] = t, int(t > 0)
    if form.max_suppliers is not None:
        used = suppliers_of(form, units)
        for s, columns in form.columns_of.items():
            x[columns[-1]] = int(s in used)
    return x


def units_cost(form: SplitFormulation, units: list[int]) -> int:
    return sum(form.mip.costs[2 * k] * t for k, t in enumerate(units) if t)


def optimum_without(form: SplitFormulation, suppliers: list[int]) -> dict[int, int | None]:
    """Without `max_suppliers`: for each supplier, the optimal cost (units) without it; None
    when nothing is feasible without it. Re-solves only the lines it supplies in one optimum."""
    assert form.max_suppliers is None
    base: list[tuple[LinePlan, LineSolver, int, list[int]] | None] = []
    total = 0
    for plan in plans(form):
        solver = _solver(form, plan, lexicographic=False)
        if solver is None:
            raise Unusable
        found = solver.solve()
        if found is None:  # no allocation at all: every optimum "without" is None too
            return dict.fromkeys(suppliers)
        base.append((plan, solver, found[0], found[1]))
        total += found[0]
    optimum: dict[int, int | None] = {}
    for s in suppliers:
        value: int | None = total
        for plan, solver, cost, units in base:
            mine = [i for i, k in enumerate(plan.offers) if form.offers[k].supplier_id == s]
            if not any(units[i] for i in mine):
                continue
            again = solver.solve(frozenset(mine), walk=False)
            if again is None:
                value = None
                break
            value += again[0] - cost
        optimum[s] = value
    return optimum
