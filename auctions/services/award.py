"""What an award gives whom: the decision (one bid, the recommended allocation, or a manual
selection of lines) and its stored record, from which every participant's outcome is read.

`award_decide` validates and computes (no writes); `award_record` stores the decision. The
RFQ workflow (procurement.services.rfq_award) calls both inside its award transaction, with
the certification gate and the audit event between them.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from auctions.evaluation.allocation import Allocation, Award, Bundle, BundleProblem, Infeasible, Payment, payments
from auctions.evaluation.rank import Evaluation
from auctions.mechanisms import bids_per_line
from auctions.models import AwardLine, AwardPayment, Bid, BidLine
from auctions.selectors import bid_for_award
from auctions.selectors.allocation import allocates, allocation_result, vcg_checks
from auctions.selectors.allocation_result import AllocationResult
from auctions.selectors.evaluation import quotes_of, standing_quotes
from auctions.services.tie_split import tie_split_audit, tie_split_lines
from common.errors import ValidationFailed
from common.money import format_money

if TYPE_CHECKING:
    from auctions.types import RFQ

# What the buyer awards in a split or bundle award: the recommendation, or its own rows
# {bid_id, line_item_id, quantity} (validated by the API's AllocationChoiceField and the page).
AllocationChoice = Literal["recommended"] | list[dict[str, Any]]


@dataclass
class AwardDecision:
    """The award about to be made. Money is Decimal; `lines` and `payments` are stored as is."""

    override: bool
    lines: list[dict[str, Any]] = field(default_factory=list)  # {bid_id, supplier_id, line_item_id, quantity, unit_price, amount, bundle}
    payments: list[dict[str, Any]] = field(default_factory=list)  # {bid_id, supplier_id, pay_as_bid, payment, rule}
    bid: Bid | None = None  # a whole award's bid
    audit: dict[str, Any] = field(default_factory=dict)  # what the award's audit event adds

    @property
    def total_cost(self) -> Decimal:
        return sum((p["pay_as_bid"] for p in self.payments), Decimal(0))

    @property
    def total_payment(self) -> Decimal:
        return sum((p["payment"] for p in self.payments), Decimal(0))


def award_decide(*, rfq: RFQ, evaluation: Evaluation, bid_id: int | None = None,
                 allocation: AllocationChoice | None = None) -> AwardDecision:
    """The award the buyer asks for, validated against the evaluation (400 naming the problem)."""
    if allocates(rfq):
        if allocation is None:
            raise ValidationFailed("This RFQ is awarded as an allocation: send \"allocation\": \"recommended\", or "
                                   "a manual selection of lines with a reason.",
                                   fields={"allocation": ["This field is required."]})
        return _allocation_decision(rfq, evaluation, allocation)
    if allocation is not None or bid_id is None:
        raise ValidationFailed("This RFQ is awarded to one bid: send bid_id.",
                               fields={"bid_id": ["This field is required."]})
    return _whole_decision(rfq, evaluation, bid_id)


def _whole_decision(rfq: RFQ, evaluation: Evaluation, bid_id: int) -> AwardDecision:
    bid = bid_for_award(rfq=rfq, bid_id=bid_id)
    row = next((r for r in evaluation.rankings if r["bid_id"] == bid.pk), None)
    if row is None:
        raise ValidationFailed("This bid is not one of the ranked quotes (a superseded version, or not the "
                               "supplier's best bid).", fields={"bid_id": ["Not a ranked quote."]})
    endorsed = set(evaluation.recommended_bid_ids) | set(evaluation.tie_break.get("shared_by", []))
    override = bid.pk not in endorsed
    if evaluation.outcome == "SPLIT_AWARD" and not override:  # the tie's fallback: the tied quotes share it
        shared_lines, shared_paid = tie_split_lines(rfq, evaluation)
        return AwardDecision(override=False, lines=shared_lines, payments=shared_paid,
                             audit=tie_split_audit(rfq, shared_lines, shared_paid, evaluation))
    total = Decimal(row["total"])
    pricing = evaluation.pricing or {}
    paid = {p["bid_id"]: Decimal(p["amount"]) for p in pricing.get("payments", [])}
    if pricing.get("winner_payment") is not None and evaluation.recommended_bid_id is not None:
        paid.setdefault(evaluation.recommended_bid_id, Decimal(pricing["winner_payment"]))
    payment = paid.get(bid.pk, total) if not override else total
    lines = [{"bid_id": bid.pk, "supplier_id": bid.supplier_id, "line_item_id": line.line_item_id,
              "quantity": line.line_item.quantity, "unit_price": line.unit_price, "amount": line.line_total,
              "bundle": None} for line in BidLine.objects.filter(bid=bid).select_related("line_item")]
    if not lines:  # a reverse auction's bid prices the whole RFQ: the winner delivers every line, at no line price
        lines = [{"bid_id": bid.pk, "supplier_id": bid.supplier_id, "line_item_id": item.pk, "quantity": item.quantity,
                  "unit_price": None, "amount": None, "bundle": None} for item in rfq.line_items.order_by("position")]
    return AwardDecision(
        override=override, bid=bid, lines=lines,
        payments=[{"bid_id": bid.pk, "supplier_id": bid.supplier_id, "pay_as_bid": total, "payment": payment,
                   "rule": pricing.get("rule", "FIRST_PRICE")}],
        audit={"supplier_id": bid.supplier_id, "total": row["total"], "payment": format_money(payment, rfq.currency),
               "rank": row["rank"], "override": override,
               "recommended_bid_id": evaluation.recommended_bid_id, "pricing": evaluation.pricing})


def _allocation_decision(rfq: RFQ, evaluation: Evaluation, allocation: AllocationChoice) -> AwardDecision:
    if bids_per_line(rfq) and allocation != "recommended":
        raise ValidationFailed("A per-line auction is awarded line by line to each line's best bid: send "
                               "\"allocation\": \"recommended\".", fields={"allocation": ["Only \"recommended\"."]})
    bids = standing_quotes(rfq)
    result = allocation_result(rfq, bids, quotes_of(rfq, bids))
    if isinstance(result.outcome, Infeasible) or evaluation.outcome == "NO_AWARD":
        raise ValidationFailed("There is no allocation to award: " + (
            (evaluation.allocation or {}).get("allocation_problem") or "no feasible allocation."),
            fields={"allocation": ["No feasible allocation."]})
    if allocation == "recommended":
        chosen, paid, override = result.outcome, result.payments, False
    else:
        chosen = _manual_allocation(rfq, result, allocation)
        override = _signature(chosen) != _signature(result.outcome)
        # A hand-picked allocation is paid as bid: VCG payments are defined for the cost-minimal one.
        paid = result.payments if not override else payments(result.problem, chosen, "FIRST_PRICE")
    rule = "FIRST_PRICE" if override else result.rule
    currency = rfq.currency
    decision = AwardDecision(
        override=override,
        lines=[_line(a, rfq) for a in chosen.awards],
        payments=[{"bid_id": _bid_of(p, chosen), "supplier_id": p.supplier_id, "pay_as_bid": p.pay_as_bid,
                   "payment": p.payment, "rule": rule} for p in paid])
    decision.audit = {
        "mode": "allocation", "override": override, "pricing": {"rule": rule, "total_payment": format_money(
            decision.total_payment, currency), **vcg_checks(rule, paid)},
        "total_cost": format_money(chosen.total_cost, currency),
        "allocation": [{"supplier_id": a.supplier_id, "bid_id": a.bid_id, "line_item_id": a.line_id,
                        "quantity": a.quantity, "unit_price": format_money(a.unit_price, currency),
                        "amount": format_money(a.amount, currency), "bundle": a.bundle} for a in chosen.awards],
        "payments": [{"supplier_id": p["supplier_id"], "bid_id": p["bid_id"],
                      "pay_as_bid": format_money(p["pay_as_bid"], currency),
                      "payment": format_money(p["payment"], currency)} for p in decision.payments],
        "recommended_total_cost": format_money(result.outcome.total_cost, currency)}
    return decision


def _bid_of(payment: Payment, allocation: Allocation) -> int:
    if payment.bid_id is not None:
        return payment.bid_id
    return next(a.bid_id for a in allocation.awards if a.supplier_id == payment.supplier_id)


def _line(award: Award, rfq: RFQ) -> dict[str, Any]:
    quantity = Decimal(award.quantity)
    if award.bundle is not None:  # a bundle covers its line's whole quantity
        quantity = rfq.line_items.get(pk=award.line_id).quantity
    return {"bid_id": award.bid_id, "supplier_id": award.supplier_id, "line_item_id": award.line_id,
            "quantity": quantity, "unit_price": award.unit_price, "amount": award.amount, "bundle": award.bundle}


def _signature(allocation: Allocation) -> set[tuple[int, int, int | Decimal, int | None]]:
    return {(a.bid_id, a.line_id, a.quantity, a.bundle) for a in allocation.awards}


def _invalid(message: str) -> NoReturn:
    raise ValidationFailed(f"The manual allocation is not valid: {message}",
                           fields={"allocation": [message]})


def _manual_allocation(rfq: RFQ, result: AllocationResult, rows: list[dict[str, Any]]) -> Allocation:
    """The buyer's own selection of lines, checked to cover every line exactly within each offer."""
    problem = result.problem
    quantity = {line.id: line.quantity for line in problem.lines}
    seen: set[tuple[int, int]] = set()
    for row in rows:
        key = (row["bid_id"], row["line_item_id"])
        if row["line_item_id"] not in quantity:
            _invalid(f"line item {row['line_item_id']} is not part of this RFQ.")
        if key in seen:
            _invalid(f"bid {key[0]} is listed twice for line item {key[1]}.")
        seen.add(key)
    if isinstance(problem, BundleProblem):
        return _manual_bundles(problem, rows, quantity)
    offers = {(o.bid_id, o.line_id): o for o in problem.offers}
    given: dict[int, int] = defaultdict(int)
    awards = []
    cost: dict[int, Decimal] = defaultdict(Decimal)
    for row in sorted(rows, key=lambda r: (r["line_item_id"], r["bid_id"])):
        offer = offers.get((row["bid_id"], row["line_item_id"]))
        if offer is None:
            _invalid(f"bid {row['bid_id']} does not offer line item {row['line_item_id']}.")
        low, high = offer.min_quantity, min(offer.max_quantity, quantity[offer.line_id])
        if not low <= row["quantity"] <= high:
            _invalid(f"bid {offer.bid_id} offers between {low} and {high} of line item {offer.line_id}, "
                     f"not {row['quantity']}.")
        given[offer.line_id] += row["quantity"]
        amount = offer.unit_price * row["quantity"]
        awards.append(Award(offer.supplier_id, offer.bid_id, offer.line_id, row["quantity"], offer.unit_price,
                            amount, None))
        cost[offer.supplier_id] += amount
    _check_cover(quantity, given)
    per_line: dict[int, set[int]] = defaultdict(set)
    for a in awards:
        per_line[a.line_id].add(a.supplier_id)
    limit, total_limit = problem.max_suppliers_per_line, problem.max_suppliers
    if limit is not None and any(len(s) > limit for s in per_line.values()):
        _invalid(f"at most {limit} supplier(s) per line.")
    if total_limit is not None and len({a.supplier_id for a in awards}) > total_limit:
        _invalid(f"at most {total_limit} supplier(s) in all.")
    return Allocation(tuple(awards), sum(cost.values(), Decimal(0)), dict(cost))


def _check_cover(quantity: dict[int, int], given: dict[int, int]) -> None:
    for line_id, needed in quantity.items():
        if given.get(line_id, 0) != needed:
            _invalid(f"line item {line_id} needs exactly {needed}, the selection gives {given.get(line_id, 0)}.")


def _manual_bundles(problem: BundleProblem, rows: list[dict[str, Any]], quantity: dict[int, int]) -> Allocation:
    by_bid: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        by_bid[row["bid_id"]].add(row["line_item_id"])
    chosen: dict[int, Bundle] = {}
    for bid_id, line_ids in by_bid.items():
        bundle = next((b for b in problem.bundles if b.bid_id == bid_id and b.line_ids == frozenset(line_ids)), None)
        if bundle is None:
            _invalid(f"bid {bid_id} has no bundle of exactly line items {', '.join(map(str, sorted(line_ids)))}.")
        if bundle.supplier_id in chosen:
            _invalid("a supplier wins at most one of its bundles.")
        chosen[bundle.supplier_id] = bundle
    given: dict[int, int] = defaultdict(int)
    for bundle in chosen.values():
        for line_id in bundle.line_ids:
            given[line_id] += quantity[line_id]
    _check_cover(quantity, given)
    awards = tuple(Award(b.supplier_id, b.bid_id, line_id, quantity[line_id], None, None, b.index)
                   for b in chosen.values() for line_id in sorted(b.line_ids))
    cost = {supplier_id: b.price for supplier_id, b in chosen.items()}
    return Allocation(tuple(sorted(awards, key=lambda a: (a.line_id, a.supplier_id))), sum(cost.values(), Decimal(0)),
                      cost, dict(chosen))


def award_record(*, rfq: RFQ, decision: AwardDecision) -> None:
    """Store what was awarded to whom (inside the award transaction)."""
    supplier_of = {p["bid_id"]: p["supplier_id"] for p in decision.payments}
    AwardLine.objects.bulk_create(
        AwardLine(rfq=rfq, bid_id=line["bid_id"], supplier_id=line["supplier_id"] or supplier_of[line["bid_id"]],
                  line_item_id=line["line_item_id"], quantity=line["quantity"], unit_price=line["unit_price"],
                  amount=line["amount"], bundle=line["bundle"]) for line in decision.lines)
    AwardPayment.objects.bulk_create(
        AwardPayment(rfq=rfq, bid_id=p["bid_id"], supplier_id=p["supplier_id"], pay_as_bid=p["pay_as_bid"],
                     payment=p["payment"], rule=p["rule"]) for p in decision.payments)

