"""Entry points: the cost-minimal allocation and the best single-supplier award."""
from __future__ import annotations

from decimal import Decimal

from .problem import Allocation, BundleProblem, Infeasible, SplitProblem


def solve_split(problem: SplitProblem) -> Allocation | Infeasible:
    raise NotImplementedError


def solve_bundles(problem: BundleProblem) -> Allocation | Infeasible:
    raise NotImplementedError


def best_single_supplier(problem: SplitProblem | BundleProblem) -> tuple[int, Decimal] | None:
    raise NotImplementedError
