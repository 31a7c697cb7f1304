"""Brute-force optima by plain enumeration, written independently of the solver."""
from __future__ import annotations

import itertools
from decimal import Decimal

from auctions.evaluation.allocation import BundleProblem, SplitProblem


def _line_options(line, offers, per_line):
    """Every way to meet one line: {supplier: quantity} with each offer 0 or in [min, max]."""
    ranges = [[0, *range(o.min_quantity, min(o.max_quantity, line.quantity) + 1)] for o in offers]
    for quantities in itertools.product(*ranges):
        chosen = {o.supplier_id: q for o, q in zip(offers, quantities, strict=True) if q}
        if sum(quantities) == line.quantity and (per_line is None or len(chosen) <= per_line):
            yield chosen


def split_optimum(problem: SplitProblem, without: int | None = None) -> Decimal | None:
    """The least total cost over every integer allocation, None when there is none."""
    price = {(o.supplier_id, o.line_id): o.unit_price for o in problem.offers}
    per_line = []
    for line in problem.lines:
        offers = [o for o in problem.offers if o.line_id == line.id and o.supplier_id != without]
        per_line.append([(line.id, c) for c in _line_options(line, offers, problem.max_suppliers_per_line)])
    best = None
    for combo in itertools.product(*per_line):
        suppliers = {s for _, chosen in combo for s in chosen}
        if problem.max_suppliers is not None and len(suppliers) > problem.max_suppliers:
            continue
        cost = sum((price[s, line] * q for line, chosen in combo for s, q in chosen.items()), Decimal(0))
        best = cost if best is None or cost < best else best
    return best


def bundle_optimum(problem: BundleProblem, without: int | None = None) -> Decimal | None:
    by_supplier: dict[int, list] = {}
    for b in problem.bundles:
        if b.supplier_id != without:
            by_supplier.setdefault(b.supplier_id, []).append(b)
    everything = sorted(line.id for line in problem.lines)
    best = None
    for pick in itertools.product(*[[None, *bs] for bs in by_supplier.values()]):
        won = [b for b in pick if b is not None]
        covered = sorted(i for b in won for i in b.line_ids)
        if covered == everything:
            cost = sum((b.price for b in won), Decimal(0))
            best = cost if best is None or cost < best else best
    return best


def optimum(problem, without=None):
    if isinstance(problem, SplitProblem):
        return split_optimum(problem, without)
    return bundle_optimum(problem, without)
