"""What split and bundle awards share: a scaled integer program, who owns which columns,
and the two-stage (cost, then preference) solve.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar

from .highs_model import HighsMip, SolverError
from .mip import Mip


@dataclass
class Formulation:
    mip: Mip  # objective: the cost in units of 10**-places
    tie_costs: list[int]  # second objective among cost-optimal solutions: preference rank × quantity
    columns_of: dict[int, list[int]]  # supplier id → every column of that supplier
    places: int
    # HiGHS options for this kind of model, over highs_model.OPTIONS (a class attribute)
    solver_options: ClassVar[dict] = {}


def preference_ranks(preference: Iterable[int], supplier_ids: Iterable[int]) -> dict[int, int]:
    """1 for the most preferred supplier; suppliers not in `preference` follow, by id."""
    ranks: dict[int, int] = {}
    for s in preference:
        ranks.setdefault(s, len(ranks) + 1)
    for s in sorted(set(supplier_ids) - set(ranks)):
        ranks[s] = len(ranks) + 1
    return ranks


def solve_two_stage(form: Formulation, hint: list[int] | None = None, optimum: int | None = None) -> list[int] | None:
    """The cheapest solution; among the cheapest, the one with the least preference weight.

    Stage two adds the row cost ≤ optimum and swaps the objective. Both objectives are
    integral, so the stage-one optimum is kept exactly (checked again here), and the
    stage-one solution is a feasible start for stage two.

    `hint`: a feasible solution to start from (checked exactly; ignored when it is not).
    `optimum`: the caller has proven `hint` cost-optimal (its cost equals a lower bound),
    so stage one is skipped.
    """
    if hint is not None and not form.mip.feasible(hint):
        hint, optimum = None, None
    model = HighsMip(form.mip, form.solver_options)
    if optimum is not None and hint is not None and form.mip.cost(hint) == optimum:
        first = hint
    else:
        first = model.minimise(hint=hint)
    if first is None:
        return None
    best = form.mip.cost(first)
    model.restrict_cost(best, form.tie_costs)
    second = model.minimise(hint=first)
    if second is None or form.mip.cost(second) != best:
        raise SolverError("The tie-breaking stage lost the cost optimum.")
    return second


def optimum_without(form: Formulation, suppliers: Iterable[int],
                    starts: Callable[[int], list[int] | None] | None = None) -> dict[int, int | None]:
    """For each supplier, the optimal cost (in units) with that supplier removed, None when
    nothing is feasible without it.

    One model for all of them: the supplier's columns are fixed to zero by their bounds and
    released afterwards. Each re-solve is warm-started with the cheapest earlier solution
    that stays feasible without the supplier (an incumbent from the start prunes the search),
    or with `starts(supplier)` when that is feasible and cheaper.
    """
    model = HighsMip(form.mip, form.solver_options)
    found: list[list[int]] = []
    optimum: dict[int, int | None] = {}
    for s in suppliers:
        columns = form.columns_of.get(s, [])
        with model.without(columns):
            start = _start_without(form.mip, found, columns)
            other = starts(s) if starts is not None else None
            if other is not None and model.feasible(other) and (start is None or
                                                                form.mip.cost(other) < form.mip.cost(start)):
                start = other
            x = model.minimise(hint=start)
        optimum[s] = None if x is None else form.mip.cost(x)
        if x is not None:
            found.append(x)
    return optimum


def _start_without(mip: Mip, found: list[list[int]], columns: list[int]) -> list[int] | None:
    for x in sorted(found, key=mip.cost):
        start = list(x)
        for c in columns:
            start[c] = 0
        if mip.feasible(start):
            return start
    return None
