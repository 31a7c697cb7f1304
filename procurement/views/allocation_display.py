"""The evaluation page's split and bundle award: the recommended (or awarded) allocation per
line and supplier, the saving against the best single supplier, the payments with the VCG
premium, and the manual-selection form's offers."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from auctions.models import AwardLine, AwardPayment, BidBundle, BidLine
from common.money import money_text


def _qty(value) -> str:
    value = Decimal(str(value))
    return f"{value.normalize():f}" if value != value.to_integral_value() else str(int(value))


def allocation_context(rfq, evaluation, line_items, bids: dict) -> dict:
    """Everything the page shows of an allocation, or {} for an award to one bid."""
    view = evaluation.allocation
    if view is None:
        return {}
    currency = rfq.currency
    items = {item.pk: item for item in line_items}
    awarded = rfq.status == "awarded"
    rows = _awarded_rows(rfq, items) if awarded else [
        {"item": items.get(r["line_item_id"]), "supplier": r["supplier"]["name"], "bid_id": r["bid_id"],
         "quantity": _qty(r["quantity"]), "unit_price": money_text(r["unit_price"], currency) if r["unit_price"] else "—",
         "amount": money_text(r["amount"], currency) if r["amount"] else "—", "bundle": r["bundle"]}
        for r in view["allocation"]]
    payments = _awarded_payments(rfq) if awarded else [
        {"supplier": p["supplier"]["name"], "pay_as_bid": Decimal(p["pay_as_bid"]), "payment": Decimal(p["payment"])}
        for p in view["payments"]]
    total_cost = sum((p["pay_as_bid"] for p in payments), Decimal(0))
    total_paid = sum((p["payment"] for p in payments), Decimal(0))
    rule = payments[0]["rule"] if awarded and payments else view["pricing"]["rule"]
    best = view["best_single_supplier"]
    return {"allocation": {
        "rows": _grouped(rows), "suppliers": len({r["supplier"] for r in rows}),
        "total_cost": money_text(total_cost, currency) if payments else None,
        "total_payment": money_text(total_paid, currency) if payments else None,
        "premium": money_text(total_paid - total_cost, currency) if payments and total_paid != total_cost else None,
        "payments": [{**p, "premium": money_text(p["payment"] - p["pay_as_bid"], currency)
                      if p["payment"] != p["pay_as_bid"] else None,
                      "pay_as_bid": money_text(p["pay_as_bid"], currency), "payment": money_text(p["payment"], currency)}
                     for p in payments],
        "best_single": {"supplier": best["supplier"]["name"], "total": money_text(best["total"], currency)} if best else None,
        "saving": money_text(view["saving"], currency) if view["saving"] else None,
        "problem": view["allocation_problem"], "rule": rule,
        "individually_rational": view["pricing"].get("individually_rational", True),
        "paid_as_bid": sorted(_names_of(view)[s] for s in view["pricing"].get("paid_as_bid", [])),
        "rule_label": "VCG (truthful: each winner is paid what it saves the buyer)" if rule == "VCG"
        else "Pay as bid",
        "bundles": rfq.auction_type == "COMBINATORIAL",
        "offers": _offers(rfq, view, items, bids) if rfq.status == "evaluation" else [],
    }}


def _names_of(view) -> dict[int, str]:
    return {p["supplier"]["id"]: p["supplier"]["name"] for p in view["payments"]}


def _awarded_rows(rfq, items) -> list[dict]:
    return [{"item": items.get(line.line_item_id), "supplier": line.supplier.name, "bid_id": line.bid_id,
             "quantity": _qty(line.quantity), "unit_price": money_text(line.unit_price, rfq.currency)
             if line.unit_price is not None else "—", "amount": money_text(line.amount, rfq.currency)
             if line.amount is not None else "—", "bundle": line.bundle}
            for line in AwardLine.objects.filter(rfq=rfq).select_related("supplier")]


def _awarded_payments(rfq) -> list[dict]:
    return [{"supplier": p.supplier.name, "pay_as_bid": p.pay_as_bid, "payment": p.payment, "rule": p.rule}
            for p in AwardPayment.objects.filter(rfq=rfq).select_related("supplier")]


def _grouped(rows: list[dict]) -> list[dict]:
    """Rows in line order, each line's first row carrying how many rows it spans."""
    rows = sorted(rows, key=lambda r: (r["item"].position if r["item"] else 0, r["supplier"]))
    counts: dict[int | None, int] = defaultdict(int)
    for row in rows:
        counts[row["item"].pk if row["item"] else None] += 1
    seen = set()
    for row in rows:
        key = row["item"].pk if row["item"] else None
        row["span"] = 0 if key in seen else counts[key]
        seen.add(key)
    return rows


def _offers(rfq, view, items, bids) -> list[dict]:
    """The manual form: per line (split) every offer with the recommended quantity, or per
    supplier (bundles) every bundle, the recommended one chosen."""
    chosen = {(r["bid_id"], r["line_item_id"]): r["quantity"] for r in view["allocation"]}
    standing = [bid_id for bid_id in bids]
    if rfq.auction_type == "COMBINATORIAL":
        winning = {(r["bid_id"], r["bundle"]) for r in view["allocation"]}
        by_bid: dict[int, list] = defaultdict(list)
        for bundle in BidBundle.objects.filter(bid_id__in=standing).select_related("bid__supplier"):
            by_bid[bundle.bid_id].append({
                "index": bundle.index, "price": money_text(bundle.price, rfq.currency),
                "lines": ", ".join(items[i].description for i in bundle.line_item_ids if i in items),
                "chosen": (bundle.bid_id, bundle.index) in winning, "supplier": bundle.bid.supplier.name})
        return [{"bid_id": bid_id, "supplier": offers[0]["supplier"], "bundles": offers,
                 "none_chosen": not any(o["chosen"] for o in offers)} for bid_id, offers in by_bid.items()]
    lines: dict[int, list] = defaultdict(list)
    for offer in BidLine.objects.filter(bid_id__in=standing).select_related("bid__supplier"):
        item = items[offer.line_item_id]
        lines[offer.line_item_id].append({
            "bid_id": offer.bid_id, "supplier": offer.bid.supplier.name,
            "unit_price": money_text(offer.unit_price, rfq.currency), "min": offer.min_quantity or 1,
            "max": min(offer.max_quantity or int(item.quantity), int(item.quantity)),
            "value": chosen.get((offer.bid_id, offer.line_item_id), 0)})
    return [{"item": items[pk], "offers": sorted(offers, key=lambda o: o["supplier"])}
            for pk, offers in sorted(lines.items(), key=lambda kv: items[kv[0]].position)]
