"""Per-line reverse auctions (lots): each line's live figures as a caller may see them
(api.md "Lots and finding things": `/state/` and live events add `lines`)."""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Min

from auctions.mechanisms.reverse import minimum_next_bid
from auctions.models import Bid, BidStatus
from common.money import currency_decimals, format_money

if TYPE_CHECKING:
    from auctions.types import RFQ
    from rfqs.models import LineItem


def line_bests(rfq: RFQ) -> dict[int, dict[int, Decimal]]:
    """line id → {supplier id → its best standing amount on that line}."""
    rows = (Bid.objects.filter(rfq=rfq, status=BidStatus.ACCEPTED, amount__isnull=False, line_item__isnull=False)
            .values("line_item_id", "supplier_id").annotate(best=Min("amount"))
            .values_list("line_item_id", "supplier_id", "best"))
    bests: dict[int, dict[int, Decimal]] = {}
    for line_id, supplier_id, best in rows:
        bests.setdefault(line_id, {})[supplier_id] = best
    return bests


def rank_among(bests: dict[int, Decimal], supplier_id: int) -> int | None:
    """The supplier's rank by best standing amount (ties: the lower supplier id first, as the
    auction-wide ranks order them)."""
    if supplier_id not in bests:
        return None
    ordered = sorted(bests.items(), key=lambda item: (item[1], item[0]))
    return [supplier for supplier, _ in ordered].index(supplier_id) + 1


def line_states(rfq: RFQ, *, supplier_id: int | None) -> list[dict[str, Any]]:
    """`lines` of /state/: every line's figures as the settings disclose them (all to the buyer
    and compliance, `supplier_id` None), with the supplier's own best, rank and next limit."""
    settings, currency = rfq.auction_settings, rfq.currency
    buyer = supplier_id is None
    show_best = buyer or settings.get("show_leading_bid", True)
    show_count = buyer or settings.get("show_bid_count", True)
    bests = line_bests(rfq) if not buyer else {}
    states = []
    for line in rfq.line_items.order_by("position"):
        state: dict[str, Any] = {"line_item_id": line.pk,
                                 "starting_price": format_money(line.starting_price, currency)}
        if show_best:
            state["leading_bid"] = format_money(line.best_amount, currency)
        if show_count:
            state["bid_count"] = line.bid_count
        if supplier_id is not None:
            own = bests.get(line.pk, {})
            state["your_best"] = format_money(own.get(supplier_id), currency)
            if settings.get("show_ranking", True):
                state["your_rank"] = rank_among(own, supplier_id)
            if show_best:
                state["minimum_next_bid"] = next_line_limit(rfq, line)
        states.append(state)
    return states


def next_line_limit(rfq: RFQ, line: LineItem) -> str | None:
    """The highest amount a bid on the line may have now (its ceiling before the first bid)."""
    if line.best_amount is None:
        return format_money(line.starting_price, rfq.currency)
    limit = minimum_next_bid(rfq.auction_settings, line.best_amount, currency_decimals(rfq.currency))
    return format_money(limit, rfq.currency) if limit > 0 else None
