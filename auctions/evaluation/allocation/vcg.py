"""Payments (product.md §7): pay as bid, or VCG.

VCG pays winner i: OPT(without i) − (the others' cost in the chosen allocation), so its
surplus over its bid is OPT(without i) − OPT ≥ 0 when the allocation is optimal (individual
rationality; flagged per payment, never silently assumed). A winner without whom nothing is
feasible has no finite VCG payment: it is paid as bid and flagged `pivotal_monopoly`.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from . import bundles, split, split_lines, split_patterns
from .formulation import optimum_without, preference_ranks
from .money import EXACT, from_units
from .problem import Allocation, BundleProblem, Payment, SplitProblem

PAYMENT_RULES = ("FIRST_PRICE", "VCG")


def payments(problem: SplitProblem | BundleProblem, allocation: Allocation, rule: str) -> tuple[Payment, ...]:
    """One payment per winner, in preference order."""
    if rule not in PAYMENT_RULES:
        raise ValueError(f"pricing must be one of {', '.join(PAYMENT_RULES)}; got {rule!r}.")
    bid_of = {a.supplier_id: a.bid_id for a in allocation.awards}
    ranks = preference_ranks(problem.preference, allocation.cost_by_supplier)
    winners = sorted(allocation.cost_by_supplier, key=ranks.__getitem__)
    if rule == "FIRST_PRICE":
        return tuple(_paid(s, allocation.cost_by_supplier[s], allocation.cost_by_supplier[s], bid_of[s])
                     for s in winners)
    form = split.formulate(problem) if isinstance(problem, SplitProblem) else bundles.formulate(problem)
    without = _optimum_without(form, winners, allocation)
    paid = []
    for s in winners:
        bid = allocation.cost_by_supplier[s]
        if without[s] is None:
            paid.append(Payment(s, bid, bid, Decimal(0), pivotal_monopoly=True, bid_id=bid_of[s]))
            continue
        others = EXACT.subtract(allocation.total_cost, bid)
        paid.append(_paid(s, bid, EXACT.subtract(from_units(without[s], form.places), others), bid_of[s]))
    return tuple(paid)


def _optimum_without(form, winners: list[int], allocation: Allocation) -> dict[int, int | None]:
    if not isinstance(form, split.SplitFormulation):
        return optimum_without(form, winners)
    try:
        if form.max_suppliers is None:
            return split_lines.optimum_without(form, winners)
        return _limited_without(form, winners, allocation)
    except split_lines.Unusable:
        return optimum_without(form, winners)


def _limited_without(form: split.SplitFormulation, winners: list[int], allocation: Allocation) -> dict[int, int | None]:
    """With max_suppliers: branch and price over patterns (split_patterns.py); where that
    does not apply, the per-line optimum without the winner when it keeps the limit (then
    it is the optimum), else the full model started from the allocation with the winner's
    lines re-filled (split_lines.replaced)."""
    try:
        return split_patterns.optimum_without(form, winners)
    except split_patterns.TooHard:
        pass
    optimum: dict[int, int | None] = {}
    hard = []
    for s in winners:
        relaxed = split_lines.relaxed_units(form, lexicographic=False, without=frozenset([s]))
        if relaxed is None:
            optimum[s] = None
        elif len(split_lines.suppliers_of(form, relaxed)) <= form.max_suppliers:
            optimum[s] = split_lines.units_cost(form, relaxed)
        else:
            hard.append(s)
    if hard:
        units = split_lines.units_of(form, allocation.awards)

        def start(s: int) -> list[int] | None:
            x = split_lines.replaced(form, units, s)
            return None if x is None else split_lines.full_columns(form, x)
        optimum.update(optimum_without(form, hard, start))
    return {s: optimum[s] for s in winners}


def _paid(supplier: int, bid: Decimal, payment: Decimal, bid_id: int) -> Payment:
    surplus = EXACT.subtract(payment, bid)
    return Payment(supplier, bid, payment, surplus, individually_rational=surplus >= 0, bid_id=bid_id)


def total_payment(paid: Iterable[Payment]) -> Decimal:
    return sum((p.payment for p in paid), Decimal(0))


def total_premium(paid: Iterable[Payment]) -> Decimal:
    """What the buyer pays over pay-as-bid: the sum of the surpluses."""
    return sum((p.surplus for p in paid), Decimal(0))
