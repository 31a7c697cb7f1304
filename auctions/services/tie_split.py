"""The tie-break's final fallback `split_award` (product.md §4.4), carried out: the tied quotes
share the award. Each line's quantity is divided equally between the tied quotes that price
it, in the tie-break's order, in the quantity's own smallest unit (40 bags between three:
14, 13, 13; 2.5 t between two: 1.3 and 1.2); each supplier is paid its own unit prices for its
share — under second price, its payment scaled as its share of its quote.

Recorded like an allocation (the award's event lists every line and payment), so the outcome,
the e-mails and the audit verifier read it as they read a split award.
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from auctions.evaluation.rank import Evaluation
from auctions.models import BidLine
from common.money import currency_decimals, format_money, round_money

if TYPE_CHECKING:
    from auctions.types import RFQ


def shares(quantity: Decimal, parts: int) -> list[Decimal]:
    """`quantity` in `parts` as equal as its own smallest unit allows, the larger ones first."""
    exponent = min(0, int(quantity.normalize().as_tuple().exponent))
    unit = Decimal(1).scaleb(exponent)
    units = int(quantity / unit)
    base, rest = divmod(units, parts)
    return [(base + (1 if i < rest else 0)) * unit for i in range(parts)]


def tie_split_lines(rfq: RFQ, evaluation: Evaluation) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(lines, payments) of the split between the evaluation's tied quotes (`shared_by`)."""
    shared: list[int] = list(evaluation.tie_break["shared_by"])
    priced: dict[int, dict[int, BidLine]] = {bid_id: {} for bid_id in shared}
    for line in BidLine.objects.filter(bid_id__in=shared).select_related("bid"):
        priced[line.bid_id][line.line_item_id] = line
    digits = currency_decimals(rfq.currency)
    lines: list[dict[str, Any]] = []
    for item in rfq.line_items.order_by("position"):
        takers = [bid_id for bid_id in shared if item.pk in priced[bid_id]]
        for bid_id, share in zip(takers, shares(item.quantity, len(takers)) if takers else [], strict=True):
            if share == 0:
                continue
            line = priced[bid_id][item.pk]
            lines.append({"bid_id": bid_id, "supplier_id": line.bid.supplier_id, "line_item_id": item.pk,
                          "quantity": share, "unit_price": line.unit_price,
                          "amount": round_money(line.unit_price * share, digits), "bundle": None})
    return lines, _payments(evaluation, shared, lines, digits)


def _payments(evaluation: Evaluation, shared: list[int], lines: list[dict[str, Any]],
              digits: int) -> list[dict[str, Any]]:
    totals = {row["bid_id"]: Decimal(row["total"]) for row in evaluation.rankings}
    pricing = evaluation.pricing or {}
    rule_paid = {p["bid_id"]: Decimal(p["amount"]) for p in pricing.get("payments", [])}
    payments = []
    for bid_id in shared:
        own = [line for line in lines if line["bid_id"] == bid_id]
        if not own:
            continue
        pay_as_bid = sum((line["amount"] for line in own), Decimal(0))
        total = totals[bid_id]
        scale = rule_paid.get(bid_id, total) / total if total else Decimal(1)
        payments.append({"bid_id": bid_id, "supplier_id": own[0]["supplier_id"], "pay_as_bid": pay_as_bid,
                         "payment": round_money(pay_as_bid * scale, digits), "rule": pricing.get("rule", "FIRST_PRICE")})
    return payments


def tie_split_audit(rfq: RFQ, lines: list[dict[str, Any]], payments: list[dict[str, Any]],
                    evaluation: Evaluation) -> dict[str, Any]:
    """The award event's record: an allocation (what the verifier compares), marked as the split."""
    currency = rfq.currency
    # No one awarded bid (the row's awarded_bid stays empty, as for any allocation): the tied ones share it.
    return {"mode": "allocation", "split_award": True, "override": False, "bid_id": None,
            "shared_by": evaluation.tie_break["shared_by"],
            "pricing": {"rule": (evaluation.pricing or {}).get("rule", "FIRST_PRICE"), "total_payment": format_money(
                sum((p["payment"] for p in payments), Decimal(0)), currency)},
            "total_cost": format_money(sum((p["pay_as_bid"] for p in payments), Decimal(0)), currency),
            "allocation": [{**line, "quantity": f"{line['quantity'].normalize():f}",
                            "unit_price": format_money(line["unit_price"], currency),
                            "amount": format_money(line["amount"], currency)} for line in lines],
            "payments": [{"supplier_id": p["supplier_id"], "bid_id": p["bid_id"],
                          "pay_as_bid": format_money(p["pay_as_bid"], currency),
                          "payment": format_money(p["payment"], currency)} for p in payments]}
