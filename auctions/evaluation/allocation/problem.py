"""The award problems and their answers as plain, immutable data (product.md §7).

Money is `Decimal` throughout; quantities are whole units. The solver never hands a float
back: totals are recomputed in `Decimal` from the chosen integer quantities.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Line:
    """An RFQ line item."""
    id: int
    quantity: int  # whole units, ≥ 1


@dataclass(frozen=True)
class Offer:
    """SPLIT: one quote line of one supplier."""
    supplier_id: int
    bid_id: int
    line_id: int
    unit_price: Decimal
    min_quantity: int  # the least it supplies if chosen at all (≥ 1)
    max_quantity: int  # the most it supplies; the solver clamps it to the line's quantity


@dataclass(frozen=True)
class Bundle:
    """COMBINATORIAL: an all-or-nothing offer for the whole quantity of its lines."""
    supplier_id: int
    bid_id: int
    index: int  # its position in the supplier's quote
    line_ids: frozenset[int]
    price: Decimal  # total price for the bundle


@dataclass(frozen=True)
class SplitProblem:
    lines: tuple[Line, ...]
    offers: tuple[Offer, ...]
    max_suppliers_per_line: int | None = None
    max_suppliers: int | None = None
    # Supplier ids, most preferred first (the RFQ's tie-breaking chain, computed by the
    # caller). Suppliers not listed rank after the listed ones, by id.
    preference: tuple[int, ...] = ()


@dataclass(frozen=True)
class BundleProblem:
    lines: tuple[Line, ...]
    bundles: tuple[Bundle, ...]
    preference: tuple[int, ...] = ()


@dataclass(frozen=True)
class Award:
    """One row of the allocation table.

    SPLIT rows carry `unit_price` and `amount` (= quantity × unit_price) and `bundle=None`.
    Bundle rows carry `unit_price=None`, `amount=None` and the winning bundle's `index`: a
    bundle price is not divisible between its lines, so it is counted once, in
    `Allocation.cost_by_supplier`.
    """
    supplier_id: int
    bid_id: int
    line_id: int
    quantity: int | Decimal  # whole units in split awards; a lot's own quantity (maybe fractional)
    unit_price: Decimal | None
    amount: Decimal | None
    bundle: int | None


@dataclass(frozen=True)
class Allocation:
    awards: tuple[Award, ...]  # ordered by line id, then supplier preference
    total_cost: Decimal
    cost_by_supplier: dict[int, Decimal]  # pay-as-bid amount of each winner
    bundles: dict[int, Bundle] = field(default_factory=dict)  # bundles only: the winning bundle per supplier


@dataclass(frozen=True)
class Infeasible:
    reason: str  # for a person: which line cannot be met, or which limit cannot be kept


@dataclass(frozen=True)
class Payment:
    """What one winner is paid.

    VCG: payment = (the others' optimal cost without this supplier) − (the others' cost in
    the chosen allocation). When no allocation exists without the supplier (it is
    indispensable), that optimum does not exist and the VCG payment is unbounded: we pay
    as bid instead and set `pivotal_monopoly`. FIRST_PRICE: payment = pay_as_bid.
    """
    supplier_id: int
    pay_as_bid: Decimal
    payment: Decimal
    surplus: Decimal  # payment − pay_as_bid (the premium truthfulness costs the buyer)
    pivotal_monopoly: bool = False
    individually_rational: bool = True  # payment ≥ pay_as_bid; False flags a non-optimal allocation
    bid_id: int | None = None
