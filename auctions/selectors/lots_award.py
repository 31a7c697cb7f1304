"""Per-line reverse auctions (lots) at evaluation and award: each line goes to its lowest
standing bid (the earliest of equal ones), in the allocation output of split awards, so the
evaluation, award, outcomes, exports and report read it as they read a split award.

There is nothing to optimise: lines are independent and each bid prices a whole line, so the
per-line minimum is the exact cost minimum. Winners are paid as bid."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from auctions.evaluation import Quote
from auctions.evaluation.allocation import Allocation, Award, Infeasible, Payment, SplitProblem
from auctions.models import Bid, BidStatus

from .allocation_result import AllocationResult

if TYPE_CHECKING:
    from auctions.types import RFQ

UNIT_PRICE = Decimal("0.0001")  # a line amount ÷ its quantity, as award lines store unit prices


def line_best_bids(rfq: RFQ) -> dict[tuple[int, int], Bid]:
    """(line id, supplier id) → the supplier's best standing bid on the line (earliest of equals)."""
    standing = (Bid.objects.filter(rfq=rfq, status=BidStatus.ACCEPTED, amount__isnull=False, line_item__isnull=False)
                .select_related("supplier").prefetch_related("supplier__ports").order_by("amount", "submitted_at", "id"))
    best: dict[tuple[int, int], Bid] = {}
    for bid in standing:
        if bid.line_item_id is not None:
            best.setdefault((bid.line_item_id, bid.supplier_id), bid)
    return best


def _amount(bid: Bid) -> Decimal:
    if bid.amount is None:  # line_best_bids reads standing bids with an amount only
        raise ValueError(f"Bid {bid.pk} has no amount.")
    return bid.amount


QuoteBuilder = Callable[[Bid, Decimal, int, datetime], Quote]


def lots_quotes(rfq: RFQ, quote_of: QuoteBuilder) -> tuple[list[Bid], list[Quote]]:
    """Each supplier's package: its best bid on every line it bid on, as one quote whose total is
    their sum (partial when it skipped lines). `quote_of(bid, total, items, at)` builds the Quote."""
    by_supplier: dict[int, list[Bid]] = {}
    for (_, supplier_id), bid in sorted(line_best_bids(rfq).items()):
        by_supplier.setdefault(supplier_id, []).append(bid)
    bids, quotes = [], []
    for own in by_supplier.values():
        first = min(own, key=lambda bid: (bid.line_item_id, bid.pk))
        bids.append(first)
        quotes.append(quote_of(first, sum((_amount(bid) for bid in own), Decimal(0)), len(own),
                               max(bid.submitted_at for bid in own)))
    return bids, quotes


def lots_allocation(rfq: RFQ) -> AllocationResult:
    best = line_best_bids(rfq)
    awards: list[Award] = []
    cost: dict[int, Decimal] = {}
    paid_bid: dict[int, int] = {}
    lines = list(rfq.line_items.order_by("position"))
    for line in lines:
        offers = [bid for (line_id, _), bid in best.items() if line_id == line.pk]
        if not offers:
            continue  # no bid on this line: it is not awarded
        winner = min(offers, key=lambda bid: (_amount(bid), bid.submitted_at, bid.pk))
        amount = _amount(winner)
        whole = line.quantity == line.quantity.to_integral_value()
        awards.append(Award(winner.supplier_id, winner.pk, line.pk, int(line.quantity) if whole else line.quantity,
                            (amount / line.quantity).quantize(UNIT_PRICE), amount, None))
        cost[winner.supplier_id] = cost.get(winner.supplier_id, Decimal(0)) + amount
        paid_bid.setdefault(winner.supplier_id, winner.pk)
    rule, problem = "FIRST_PRICE", SplitProblem((), ())
    if not awards:
        return AllocationResult(problem, Infeasible("No valid bid on any line."), (), rule, None)
    outcome = Allocation(tuple(awards), sum(cost.values(), Decimal(0)), cost)
    payments = tuple(Payment(supplier, amount, amount, Decimal(0), bid_id=paid_bid[supplier])
                     for supplier, amount in sorted(cost.items()))
    return AllocationResult(problem, outcome, payments, rule, _best_single(best, [line.pk for line in lines]))


def _best_single(best: dict[tuple[int, int], Bid], lines: list[int]) -> tuple[int, Decimal] | None:
    """The cheapest award of every line to one supplier (it bid on all of them), if any."""
    totals: dict[int, list[Decimal]] = {}
    for (_, supplier_id), bid in best.items():
        totals.setdefault(supplier_id, []).append(_amount(bid))
    complete = [(sum(amounts, Decimal(0)), supplier) for supplier, amounts in totals.items() if len(amounts) == len(lines)]
    if not complete:
        return None
    total, supplier = min(complete)
    return supplier, total
