"""Payments: pay as bid, or VCG."""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from .problem import Allocation, BundleProblem, Payment, SplitProblem

PAYMENT_RULES = ("FIRST_PRICE", "VCG")


def payments(problem: SplitProblem | BundleProblem, allocation: Allocation, rule: str) -> tuple[Payment, ...]:
    raise NotImplementedError


def total_payment(paid: Iterable[Payment]) -> Decimal:
    return sum((p.payment for p in paid), Decimal(0))


def total_premium(paid: Iterable[Payment]) -> Decimal:
    """What the buyer pays over pay-as-bid: the sum of the surpluses."""
    return sum((p.surplus for p in paid), Decimal(0))
