"""Entry points: the cost-minimal allocation and the best single-supplier award."""
from __future__ import annotations

from decimal import Decimal

from . import bundles, split, split_checks, split_lines, split_patterns
from .formulation import preference_ranks, solve_two_stage
from .problem import Allocation, BundleProblem, Infeasible, SplitProblem


def solve_split(problem: SplitProblem) -> Allocation | Infeasible:
    """The allocation meeting every line's quantity at least cost, proven optimal; among
    equally cheap ones, the least preference-rank-weighted quantity (see formulation.py)."""
    form = split.formulate(problem)
    x = split_solution(form)
    return split_checks.diagnose(problem) if x is None else split.decode(form, x)


def split_solution(form: split.SplitFormulation) -> list[int] | None:
    """The two-stage optimum's columns: line by line (split_lines.py) without max_suppliers,
    branch and price over per-line patterns (split_patterns.py) with it; the full integer
    program where neither applies."""
    if form.max_suppliers is not None:
        try:
            units = split_patterns.solve(form)
        except split_patterns.TooHard:
            return _limited_by_full_model(form)
        return None if units is None else split_lines.full_columns(form, units)
    try:
        units = split_lines.relaxed_units(form)
    except split_lines.Unusable:
        return solve_two_stage(form)
    return None if units is None else split_lines.full_columns(form, units)


def _limited_by_full_model(form: split.SplitFormulation) -> list[int] | None:
    """max_suppliers without patterns: the per-line optimum when it keeps the limit, else
    the full model started from a heuristic allocation within the limit (when that costs
    the per-line lower bound it is cost-optimal already)."""
    try:
        units = split_lines.relaxed_units(form)
    except split_lines.Unusable:
        return solve_two_stage(form)
    if units is None:  # a line cannot be met even on its own
        return None
    if len(split_lines.suppliers_of(form, units)) <= form.max_suppliers:
        return split_lines.full_columns(form, units)
    start = split_lines.incumbent(form)
    if start is None:
        return solve_two_stage(form)
    bound = sum(split_lines.line_bounds(form) or [])
    return solve_two_stage(form, hint=split_lines.full_columns(form, start), optimum=bound)


def solve_bundles(problem: BundleProblem) -> Allocation | Infeasible:
    """Exact winner determination: at most one bundle per supplier, every line exactly once."""
    form = bundles.formulate(problem)
    x = bundles.solve_lexicographic(form)
    return bundles.diagnose(problem) if x is None else bundles.decode(form, x)


def best_single_supplier(problem: SplitProblem | BundleProblem) -> tuple[int, Decimal] | None:
    """The cheapest award of everything to one supplier (ties: preference), None if nobody can."""
    if isinstance(problem, SplitProblem):
        totals = split_checks.single_supplier_totals(problem)
    else:
        totals = bundles.single_supplier_totals(problem)
    if not totals:
        return None
    ranks = preference_ranks(problem.preference, totals)
    supplier = min(totals, key=lambda s: (totals[s], ranks[s]))
    return supplier, totals[supplier]
