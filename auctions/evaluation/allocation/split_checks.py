"""SPLIT awards: why there is no allocation, and the best award to a single supplier."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from .formulation import solve_two_stage
from .money import EXACT, exact_sum
from .problem import Infeasible, Line, Offer, SplitProblem
from .split import formulate, usable


def diagnose(problem: SplitProblem) -> Infeasible:
    """The first line that cannot be met, or the limit that cannot be kept (a human reason)."""
    lines, offers, _ = usable(problem)
    k = problem.max_suppliers_per_line
    for line in lines:
        reason = _line_reason(line, [o for o in offers if o.line_id == line.id], k)
        if reason:
            return Infeasible(f"Line {line.id} (quantity {line.quantity}): {reason}")
    if problem.max_suppliers is not None:
        return Infeasible(f"Every line can be met on its own, but the minimum and maximum quantities cannot "
                          f"be combined to meet every line with at most {problem.max_suppliers} suppliers in total.")
    return Infeasible("No allocation meets every line's quantity.")  # unreachable: lines are independent


def _line_reason(line: Line, offers: list[Offer], k: int | None) -> str | None:
    if not offers:
        return "no offer can supply it (none, or every minimum is above the quantity)."
    caps = sorted((o.max_quantity for o in offers), reverse=True)
    if sum(caps) < line.quantity:
        return f"the offers cover at most {sum(caps)}."
    within = f" with at most {k} suppliers per line" if k is not None else ""
    if k is not None and sum(caps[:k]) < line.quantity:
        return f"{within.strip()} the offers cover at most {sum(caps[:k])}."
    alone = SplitProblem((line,), tuple(offers), max_suppliers_per_line=k)
    if solve_two_stage(formulate(alone)) is None:
        return f"the offers' minimum and maximum quantities cannot be combined to make exactly {line.quantity}{within}."
    return None


def single_supplier_totals(problem: SplitProblem) -> dict[int, Decimal]:
    """Each supplier able to supply every line's whole quantity alone → what that would cost."""
    lines, offers, _ = usable(replace(problem, max_suppliers_per_line=None, max_suppliers=None))
    mine: dict[int, dict[int, Offer]] = {}
    for o in offers:
        mine.setdefault(o.supplier_id, {})[o.line_id] = o
    totals = {}
    for supplier, by_line in mine.items():
        whole = [by_line.get(line.id) for line in lines]
        if all(o is not None and o.max_quantity == line.quantity for o, line in zip(whole, lines, strict=True)):
            totals[supplier] = exact_sum(EXACT.multiply(o.unit_price, o.max_quantity) for o in whole)
    return totals
