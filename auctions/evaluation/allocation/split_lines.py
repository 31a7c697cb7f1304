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
    if not fits(plan.quantity, keys, form.max_suppliers_per_line):
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


def line_bounds(form: SplitFormulation) -> list[int] | None:
    """Each line's optimal cost alone (ignoring `max_suppliers`): valid lower bounds for the
    full model's per-line cost. None when a line cannot be met."""
    bounds = []
    for plan in plans(form):
        solver = _solver(form, plan, lexicographic=False)
        if solver is None:
            raise Unusable
        found = solver.solve(walk=False)
        if found is None:
            return None
        bounds.append(found[0])
    return bounds


def incumbent(form: SplitFormulation, without: frozenset[int] = frozenset()) -> list[int] | None:
    """A feasible allocation with at most `max_suppliers` suppliers (not necessarily optimal),
    as units per offer: the per-line optimum, then the supplier whose removal costs least is
    dropped until few enough are left. None when the heuristic finds nothing."""
    limit = form.max_suppliers
    assert limit is not None
    all_plans = plans(form)
    solvers = [_solver(form, plan, lexicographic=False) for plan in all_plans]
    if any(s is None for s in solvers):
        raise Unusable

    def solve_line(i: int, allowed: set[int]) -> tuple[int, list[int]] | None:
        plan = all_plans[i]
        skip = frozenset(j for j, k in enumerate(plan.offers) if form.offers[k].supplier_id not in allowed)
        return solvers[i].solve(skip)

    allowed = {o.supplier_id for o in form.offers} - without
    current = []
    for i in range(len(all_plans)):
        found = solve_line(i, allowed)
        if found is None:
            return None
        current.append(found)

    def used(i: int) -> set[int]:
        return {form.offers[k].supplier_id for k, t in zip(all_plans[i].offers, current[i][1], strict=True) if t}

    chosen = set().union(*(used(i) for i in range(len(all_plans)))) if all_plans else set()
    while len(chosen) > limit:
        best = None
        for s in sorted(chosen):
            rest = chosen - {s}
            delta, changed = 0, {}
            for i in range(len(all_plans)):
                if s in used(i):
                    found = solve_line(i, rest)
                    if found is None:
                        break
                    delta += found[0] - current[i][0]
                    changed[i] = found
            else:
                if best is None or delta < best[0]:
                    best = (delta, s, changed)
        if best is None:
            return None
        _, s, changed = best
        for i, found in changed.items():
            current[i] = found
        chosen = set().union(*(used(i) for i in range(len(all_plans))))
    units = [0] * len(form.offers)
    for plan, (_, line_units) in zip(all_plans, current, strict=True):
        for k, t in zip(plan.offers, line_units, strict=True):
            units[k] = t
    return units


def units_of(form: SplitFormulation, awards) -> list[int]:
    """Units per offer of an allocation's awards (rows that match no offer are left out)."""
    index = {(o.supplier_id, o.line_id): k for k, o in enumerate(form.offers)}
    units = [0] * len(form.offers)
    for a in awards:
        k = index.get((a.supplier_id, a.line_id))
        if k is not None:
            units[k] = a.quantity
    return units


def replaced(form: SplitFormulation, units: list[int], supplier: int) -> list[int] | None:
    """A feasible start without `supplier`: the allocation `units` with the lines it supplies
    re-solved among the other suppliers of the allocation plus at most one newcomer (the
    cheapest such choice; None when none works)."""
    all_plans = plans(form)
    affected = [i for i, plan in enumerate(all_plans)
                if any(units[k] and form.offers[k].supplier_id == supplier for k in plan.offers)]
    kept = suppliers_of(form, units) - {supplier}
    newcomers = [None, *sorted({o.supplier_id for o in form.offers} - kept - {supplier})]
    solvers = {i: _solver(form, all_plans[i], lexicographic=False) for i in affected}
    if any(s is None for s in solvers.values()):
        raise Unusable
    best: tuple[int, dict[int, list[int]]] | None = None
    for r in newcomers:
        allowed = kept if r is None else kept | {r}
        if r is None and form.max_suppliers is not None and len(allowed) > form.max_suppliers:
            continue
        total, lines = 0, {}
        for i in affected:
            plan = all_plans[i]
            skip = frozenset(j for j, k in enumerate(plan.offers) if form.offers[k].supplier_id not in allowed)
            found = solvers[i].solve(skip)
            if found is None:
                break
            total += found[0]
            lines[i] = found[1]
        else:
            if best is None or total < best[0]:
                best = (total, lines)
    if best is None:
        return None
    start = list(units)
    for i, line_units in best[1].items():
        for k, t in zip(all_plans[i].offers, line_units, strict=True):
            start[k] = t
    return start
