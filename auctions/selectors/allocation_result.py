"""What an award allocation came to (split, bundle or per-line): its own module, so the
split/bundle reader (allocation.py) and the per-line one (lots_award.py) both build it
without importing each other."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from auctions.evaluation.allocation import Allocation, BundleProblem, Infeasible, Payment, SplitProblem


@dataclass(frozen=True)
class AllocationResult:
    problem: SplitProblem | BundleProblem
    outcome: Allocation | Infeasible
    payments: tuple[Payment, ...]
    rule: str
    best_single: tuple[int, Decimal] | None  # supplier, cost: every line to one supplier, if any did
