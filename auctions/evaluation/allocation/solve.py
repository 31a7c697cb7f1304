"""Entry points: the cost-minimal allocation and the best single-supplier award."""
from __future__ import annotations

from decimal import Decimal

from . import bundles, split, split_checks
from .formulation import preference_ranks, solve_two_stage
from .problem import Allocation, BundleProblem, Infeasible, SplitProblem


def solve_split(problem: SplitProblem) -> Allocation | Infeasible:
    """The allocation meeting every line's quantity at least cost, proven optimal; among
    equally cheap ones, the least preference-rank-weighted quantity (see formulation.py)."""
    form = split.formulate(problem)
    x = solve_two_stage(form)
    return split_checks.diagnose(problem) if x is None else split.decode(form, x)


def solve_bundles(problem: BundleProblem) -> Allocation | Infeasible:
    """Exact winner determination: at most one bundle per supplier, every line exactly once."""
    form = bundles.formulate(problem)
    x = solve_two_stage(form)
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
