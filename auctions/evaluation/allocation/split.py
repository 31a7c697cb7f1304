"""SPLIT awards: integer quantities per (supplier, line) with semi-continuous minimums.

Columns per usable offer o: x_o (units, 0..max) and y_o (chosen, 0/1); with max_suppliers,
z_s (supplier used, 0/1) per supplier. Rows: Σ_o x_o = quantity per line;
min·y ≤ x ≤ max·y; Σ y ≤ max_suppliers_per_line per line; y ≤ z and Σ z ≤ max_suppliers.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .formulation import Formulation, preference_ranks
from .mip import Mip
from .money import EXACT, decimal_places, exact_sum, to_units
from .problem import Allocation, Award, Line, Offer, SplitProblem


@dataclass
class SplitFormulation(Formulation):
    offers: tuple[Offer, ...] = ()  # usable offers, canonical order; x of offers[k] is column 2k
    lines: tuple[Line, ...] = ()  # by id
    max_suppliers_per_line: int | None = None
    max_suppliers: int | None = None


def check(problem: SplitProblem) -> None:
    """Refuse malformed input (the mechanism validates quotes before they get here)."""
    lines = {line.id for line in problem.lines}
    if len(lines) != len(problem.lines) or any(line.quantity < 1 for line in problem.lines):
        raise ValueError("Lines must have distinct ids and positive quantities.")
    seen, bid_of = set(), {}
    for o in problem.offers:
        if o.line_id not in lines:
            raise ValueError(f"Offer of supplier {o.supplier_id} is for unknown line {o.line_id}.")
        if (o.supplier_id, o.line_id) in seen:
            raise ValueError(f"Supplier {o.supplier_id} has two offers for line {o.line_id}.")
        if bid_of.setdefault(o.supplier_id, o.bid_id) != o.bid_id:
            raise ValueError(f"Supplier {o.supplier_id} has offers from two bids.")
        if o.min_quantity < 1 or o.unit_price < 0:
            raise ValueError(f"Offer of supplier {o.supplier_id} on line {o.line_id}: min ≥ 1 and price ≥ 0.")
        seen.add((o.supplier_id, o.line_id))


def usable(problem: SplitProblem) -> tuple[tuple[Line, ...], tuple[Offer, ...], dict[int, int]]:
    """Lines by id; offers clamped to their line, those that can supply something, canonically
    ordered (preference rank, line id) so that input order never matters."""
    check(problem)
    quantity = {line.id: line.quantity for line in problem.lines}
    ranks = preference_ranks(problem.preference, (o.supplier_id for o in problem.offers))
    clamped = [o if o.max_quantity <= quantity[o.line_id] else _clamp(o, quantity[o.line_id])
               for o in problem.offers]
    offers = sorted((o for o in clamped if o.min_quantity <= o.max_quantity),
                    key=lambda o: (ranks[o.supplier_id], o.line_id))
    return tuple(sorted(problem.lines, key=lambda line: line.id)), tuple(offers), ranks


def _clamp(offer: Offer, quantity: int) -> Offer:
    return Offer(offer.supplier_id, offer.bid_id, offer.line_id, offer.unit_price, offer.min_quantity, quantity)


def formulate(problem: SplitProblem) -> SplitFormulation:
    lines, offers, ranks = usable(problem)
    places = decimal_places(o.unit_price for o in offers)
    mip, tie, columns_of = Mip(), [], {}
    for o in offers:
        x = mip.add_col(to_units(o.unit_price, places), o.max_quantity)
        y = mip.add_col(0, 1)
        tie += [ranks[o.supplier_id], 0]
        columns_of.setdefault(o.supplier_id, []).extend([x, y])
        mip.add_row([(x, 1), (y, -o.max_quantity)], None, 0)
        mip.add_row([(x, 1), (y, -o.min_quantity)], 0, None)
    for line in lines:
        mine = [2 * k for k, o in enumerate(offers) if o.line_id == line.id]
        mip.add_row([(x, 1) for x in mine], line.quantity, line.quantity)
        if problem.max_suppliers_per_line is not None:
            mip.add_row([(x + 1, 1) for x in mine], None, problem.max_suppliers_per_line)
    if problem.max_suppliers is not None:
        _limit_suppliers(mip, tie, columns_of, problem.max_suppliers)
    return SplitFormulation(mip, tie, columns_of, places, offers, lines, problem.max_suppliers_per_line,
                            problem.max_suppliers)


def _limit_suppliers(mip: Mip, tie: list[int], columns_of: dict[int, list[int]], limit: int) -> None:
    used = []
    for columns in columns_of.values():
        z = mip.add_col(0, 1)
        tie.append(0)
        for y in columns[1::2]:
            mip.add_row([(y, 1), (z, -1)], None, 0)
        columns.append(z)
        used.append(z)
    mip.add_row([(z, 1) for z in used], None, limit)


def decode(form: SplitFormulation, x: list[int]) -> Allocation:
    """The allocation table from the solution, every amount recomputed exactly in Decimal."""
    awards = [Award(o.supplier_id, o.bid_id, o.line_id, x[2 * k], o.unit_price,
                    EXACT.multiply(o.unit_price, x[2 * k]), None)
              for k, o in enumerate(form.offers) if x[2 * k]]
    awards.sort(key=lambda a: a.line_id)  # stable: preference order within a line
    by_supplier: dict[int, Decimal] = {}
    for a in awards:
        by_supplier[a.supplier_id] = exact_sum([by_supplier.get(a.supplier_id, Decimal(0)), a.amount])
    return Allocation(tuple(awards), exact_sum(by_supplier.values()), by_supplier)

