"""COMBINATORIAL awards: one 0/1 column per bundle; at most one bundle per supplier (XOR);
every line in exactly one winning bundle.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from .formulation import Formulation, preference_ranks, solve_two_stage
from .highs_model import HighsMip, SolverError
from .mip import Mip
from .money import decimal_places, exact_sum, to_units
from .problem import Allocation, Award, Bundle, BundleProblem, Infeasible, Line


@dataclass
class BundleFormulation(Formulation):
    bundles: tuple[Bundle, ...] = ()  # canonical order; bundles[k] is column k
    lines: tuple[Line, ...] = ()
    # Set partitioning with XOR rows solves at the root node here; presolve only costs time
    # (bench/award_solve.py at 50×20: allocation p95 1.57 → 0.78 s, VCG p95 4.75 → 2.23 s).
    solver_options: ClassVar[dict] = {"presolve": "off"}


def check(problem: BundleProblem) -> None:
    lines = {line.id for line in problem.lines}
    if len(lines) != len(problem.lines) or any(line.quantity < 1 for line in problem.lines):
        raise ValueError("Lines must have distinct ids and positive quantities.")
    keys = {(b.supplier_id, b.index) for b in problem.bundles}
    if len(keys) != len(problem.bundles):
        raise ValueError("Two bundles share a supplier and an index.")
    for b in problem.bundles:
        if not b.line_ids or not b.line_ids <= lines or b.price < 0:
            raise ValueError(f"Bundle {b.index} of supplier {b.supplier_id}: lines must be known and non-empty, "
                             f"the price non-negative.")


def canonical(problem: BundleProblem) -> tuple[tuple[Line, ...], tuple[Bundle, ...], dict[int, int]]:
    check(problem)
    ranks = preference_ranks(problem.preference, (b.supplier_id for b in problem.bundles))
    bundles = sorted(problem.bundles, key=lambda b: (ranks[b.supplier_id], b.index))
    return tuple(sorted(problem.lines, key=lambda line: line.id)), tuple(bundles), ranks


def formulate(problem: BundleProblem) -> BundleFormulation:
    lines, bundles, ranks = canonical(problem)
    quantity = {line.id: line.quantity for line in lines}
    places = decimal_places(b.price for b in bundles)
    mip, tie, columns_of = Mip(), [], {}
    for b in bundles:
        columns_of.setdefault(b.supplier_id, []).append(mip.add_col(to_units(b.price, places), 1))
        tie.append(ranks[b.supplier_id] * sum(quantity[i] for i in b.line_ids))
    for columns in columns_of.values():
        mip.add_row([(c, 1) for c in columns], None, 1)
    for line in lines:
        mip.add_row([(k, 1) for k, b in enumerate(bundles) if line.id in b.line_ids], 1, 1)
    return BundleFormulation(mip, tie, columns_of, places, bundles, lines)


def solve_lexicographic(form: BundleFormulation) -> list[int] | None:
    """The two-stage optimum (cost, then preference weight) in one solve when that is exact.

    Every line is in exactly one winning bundle, so any solution's preference weight is at
    most max rank × Σ quantities < `weight`; minimising cost·weight + tie is then minimising
    (cost, tie) lexicographically. Used when the combined objective stays in HiGHS's exact
    range (mip.EXACT_LIMIT) and HiGHS proves it; otherwise the two stages as before.
    """
    quantity = {line.id: line.quantity for line in form.lines}
    top_rank = max((t // sum(quantity[i] for i in b.line_ids)  # tie = rank × the bundle's quantity
                    for t, b in zip(form.tie_costs, form.bundles, strict=True)), default=0)
    weight = top_rank * sum(quantity.values()) + 1
    combined = Mip([c * weight + t for c, t in zip(form.mip.costs, form.tie_costs, strict=True)],
                   list(form.mip.upper), list(form.mip.rows))
    try:
        return HighsMip(combined, form.solver_options).minimise()
    except (ValueError, SolverError):  # beyond the exact range, or not proven: two stages
        return solve_two_stage(form)


def decode(form: BundleFormulation, x: list[int]) -> Allocation:
    won = {b.supplier_id: b for k, b in enumerate(form.bundles) if x[k]}
    awards = [Award(b.supplier_id, b.bid_id, line.id, line.quantity, None, None, b.index)
              for line in form.lines for b in won.values() if line.id in b.line_ids]
    cost = {s: b.price for s, b in won.items()}
    return Allocation(tuple(awards), exact_sum(cost.values()), cost, won)


def diagnose(problem: BundleProblem) -> Infeasible:
    lines, bundles, _ = canonical(problem)
    for line in lines:
        if not any(line.id in b.line_ids for b in bundles):
            return Infeasible(f"Line {line.id} is in no bundle.")
    return Infeasible("No set of bundles, at most one per supplier, covers every line exactly once.")


def single_supplier_totals(problem: BundleProblem) -> dict[int, Decimal]:
    """Each supplier with one bundle of every line → its cheapest such bundle's price."""
    lines, bundles, _ = canonical(problem)
    everything = frozenset(line.id for line in lines)
    totals: dict[int, Decimal] = {}
    for b in bundles:
        if b.line_ids == everything:
            totals[b.supplier_id] = min(b.price, totals.get(b.supplier_id, b.price))
    return totals
