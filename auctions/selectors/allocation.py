"""Split and bundle awards (product.md §7): from the stored, opened quotes to the solver's
problem, and its answer as the API, the page and the report show it.

The solver (auctions/evaluation/allocation) is pure; this module only reads. Ties between
allocations of equal cost go the way of the RFQ's tie-breaking chain: the chain orders the
suppliers' quotes, and that order is the solver's preference.
"""
from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from auctions.evaluation import Quote, break_ties, reserve_status
from auctions.evaluation.allocation import (
    Allocation,
    Bundle,
    BundleProblem,
    Infeasible,
    Line,
    Offer,
    Payment,
    SplitProblem,
    best_single_supplier,
    payments,
    solve_bundles,
    solve_split,
)
from auctions.evaluation.rank import DEFAULT_TIE_BREAKING, Evaluation
from auctions.mechanisms import bids_per_line
from auctions.models import Bid, BidBundle, BidLine
from common.money import format_money

from .allocation_cache import kept, problem_key
from .allocation_result import AllocationResult
from .lots_award import lots_allocation

if TYPE_CHECKING:
    from auctions.types import RFQ


def allocates(rfq: RFQ) -> bool:
    """Whether the RFQ is awarded as an allocation (lines split, bundles, or lots bid line by
    line) rather than to one bid."""
    return rfq.auction_type == "COMBINATORIAL" or bids_per_line(rfq) or (
        rfq.auction_type == "SEALED_BID" and rfq.auction_settings.get("award_mode", "WHOLE") == "SPLIT")


def pricing_rule(rfq: RFQ) -> str:
    return rfq.auction_settings.get("pricing", "FIRST_PRICE")


def preference(rfq: RFQ, quotes: list[Quote]) -> tuple[int, ...]:
    """Supplier ids, most preferred first, by the RFQ's tie-breaking chain over their quotes."""
    tie = {**DEFAULT_TIE_BREAKING, **(rfq.tie_breaking or {})}
    result = break_ties(quotes, tie["criteria"], tie["final_fallback"], rfq.tie_break_seed or 0)
    return tuple(q.supplier_id for q in result.ordered)


def _lines(rfq: RFQ) -> tuple[Line, ...]:
    # Bundles cover a line's whole quantity whatever it is; split lines are whole numbers
    # (checked when the RFQ is published).
    return tuple(Line(pk, max(1, int(quantity))) for pk, quantity in
                 rfq.line_items.order_by("position").values_list("pk", "quantity"))


def allocation_problem(rfq: RFQ, bids: list[Bid], order: tuple[int, ...]) -> SplitProblem | BundleProblem:
    lines = _lines(rfq)
    if rfq.auction_type == "COMBINATORIAL":
        bundles = tuple(Bundle(b.bid.supplier_id, b.bid_id, b.index, frozenset(b.line_item_ids), b.price)
                        for b in BidBundle.objects.filter(bid__in=bids).select_related("bid").order_by("bid_id", "index"))
        return BundleProblem(lines, bundles, preference=order)
    quantity = {line.id: line.quantity for line in lines}
    offers = tuple(Offer(o.bid.supplier_id, o.bid_id, o.line_item_id, o.unit_price, o.min_quantity or 1,
                         o.max_quantity or quantity[o.line_item_id])
                   for o in BidLine.objects.filter(bid__in=bids).select_related("bid").order_by("bid_id", "line_item_id"))
    settings = rfq.auction_settings
    return SplitProblem(lines, offers, max_suppliers_per_line=settings.get("max_suppliers_per_line"),
                        max_suppliers=settings.get("max_suppliers"), preference=order)


def solve(problem: SplitProblem | BundleProblem) -> Allocation | Infeasible:
    return solve_bundles(problem) if isinstance(problem, BundleProblem) else solve_split(problem)


def allocation_result(rfq: RFQ, bids: list[Bid], quotes: list[Quote]) -> AllocationResult:
    if bids_per_line(rfq):  # lots: each line to its best bid (lots_award.py)
        return lots_allocation(rfq)
    problem = allocation_problem(rfq, bids, preference(rfq, quotes))
    rule = pricing_rule(rfq)
    if not bids:
        return AllocationResult(problem, Infeasible("No valid quote."), (), rule, None)
    return kept(problem_key(problem, rule), lambda: _solved(problem, rule))


def _solved(problem: SplitProblem | BundleProblem, rule: str) -> AllocationResult:
    outcome = solve(problem)
    paid = payments(problem, outcome, rule) if isinstance(outcome, Allocation) else ()
    return AllocationResult(problem, outcome, paid, rule, best_single_supplier(problem))


def allocation_rows(allocation: Allocation, currency: str, names: dict[int, str],
                    quantities: dict[int, Decimal] | None = None) -> list[dict[str, Any]]:
    """The allocation table: one row per line and supplier."""
    return [{"supplier": {"id": a.supplier_id, "name": names.get(a.supplier_id, "")}, "bid_id": a.bid_id,
             "line_item_id": a.line_id,
             "quantity": a.quantity if a.bundle is None or quantities is None else _whole(quantities[a.line_id]),
             "unit_price": format_money(a.unit_price, currency), "amount": format_money(a.amount, currency),
             "bundle": a.bundle} for a in allocation.awards]


def _whole(quantity: Decimal) -> int | str:
    return int(quantity) if quantity == quantity.to_integral_value() else f"{quantity.normalize():f}"


def payment_rows(paid: tuple[Payment, ...], allocation: Allocation, currency: str,
                 names: dict[int, str]) -> list[dict[str, Any]]:
    bid_of = {a.supplier_id: a.bid_id for a in allocation.awards}
    return [{"supplier": {"id": p.supplier_id, "name": names.get(p.supplier_id, "")},
             "bid_id": p.bid_id if p.bid_id is not None else bid_of.get(p.supplier_id),
             "pay_as_bid": format_money(p.pay_as_bid, currency), "payment": format_money(p.payment, currency),
             "surplus": format_money(p.surplus, currency)} for p in paid]


def allocation_view(rfq: RFQ, result: AllocationResult, names: dict[int, str]) -> dict[str, Any]:
    """The evaluation's allocation part, exactly as api.md "Split and bundle awards" shows it."""
    currency = rfq.currency
    best = result.best_single
    best_view = ({"supplier": {"id": best[0], "name": names.get(best[0], "")}, "total": format_money(best[1], currency)}
                 if best else None)
    outcome = result.outcome
    if isinstance(outcome, Infeasible):
        return {"allocation": [], "total_cost": None, "payments": [], "best_single_supplier": best_view,
                "saving": None, "pricing": {"rule": result.rule, "total_payment": None},
                "allocation_problem": outcome.reason}
    quantities = dict(rfq.line_items.values_list("pk", "quantity"))
    total_payment = sum((p.payment for p in result.payments), Decimal(0))
    return {"allocation": allocation_rows(outcome, currency, names, quantities),
            "total_cost": format_money(outcome.total_cost, currency),
            "payments": payment_rows(result.payments, outcome, currency, names),
            "best_single_supplier": best_view,
            "saving": format_money(best[1] - outcome.total_cost, currency) if best else None,
            "pricing": {"rule": result.rule, "total_payment": format_money(total_payment, currency),
                        **vcg_checks(result.rule, result.payments)},
            "allocation_problem": None}


def vcg_checks(rule: str, paid: tuple[Payment, ...]) -> dict[str, Any]:
    """product.md §7: under VCG, whether every winner is paid at least its bid (individual
    rationality: it holds for the cost minimum, so False means the allocation is not one), and
    the winners paid as bid because no allocation covers every line without them (a VCG
    payment would be unbounded)."""
    if rule != "VCG":
        return {}
    return {"individually_rational": all(p.individually_rational for p in paid),
            "paid_as_bid": sorted(p.supplier_id for p in paid if p.pivotal_monopoly)}


def with_allocation(rfq: RFQ, evaluation: Evaluation, bids: list[Bid], quotes: list[Quote]) -> Evaluation:
    """The evaluation of a split or bundle award: the ranking stays as information; the
    recommendation is the cost-minimal allocation, or no award (with the reason) when none exists."""
    result = allocation_result(rfq, bids, quotes)
    names = {bid.supplier_id: bid.supplier.name for bid in bids}
    view = allocation_view(rfq, result, names)
    outcome = result.outcome
    reserve = evaluation.reserve
    if isinstance(outcome, Allocation):
        reserve = reserve_status(rfq.reserve_enabled, rfq.reserve_amount, outcome.total_cost)
        if reserve["met"] is False:
            view["allocation_problem"] = "The reserve price was not met by the lowest-cost allocation."
    awarded = outcome if isinstance(outcome, Allocation) and reserve["met"] is not False else None
    return dataclasses.replace(
        evaluation, allocation=view, reserve=reserve, pricing=view["pricing"],
        outcome="AWARD" if awarded is not None else "NO_AWARD", recommended_bid_id=None,
        recommended_bid_ids=sorted({a.bid_id for a in awarded.awards}) if awarded is not None else [])
