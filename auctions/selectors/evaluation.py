"""From stored bids to an evaluation: builds the quotes and calls the pure ranking code.

Scores are reproducible from the stored quotes and settings alone: this module only reads.
Who may see an evaluation is `auctions.selectors.evaluation_for`'s to decide.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from auctions.evaluation import Evaluation, Quote, great_circle_km, rank
from auctions.mechanisms import bids_per_line, get_mechanism
from auctions.models import Bid, BidStatus
from common.money import format_money
from suppliers.models import Port, SupplierCompany

from .allocation import allocates, with_allocation
from .lots_award import lots_quotes

if TYPE_CHECKING:
    from auctions.types import RFQ


def _nearest_port_km(supplier: SupplierCompany, port: Port) -> float | None:
    distances = [great_circle_km(float(p.latitude), float(p.longitude), float(port.latitude), float(port.longitude))
                 for p in supplier.ports.all()]
    return min(distances) if distances else None


def standing_quotes(rfq: RFQ) -> list[Bid]:
    """Each supplier's one standing bid: its latest version (sealed), or its best bid (reverse)."""
    bids = (Bid.objects.filter(rfq=rfq, status=BidStatus.ACCEPTED, amount__isnull=False)
            .select_related("supplier").prefetch_related("supplier__ports").order_by("amount", "submitted_at", "id"))
    chosen: dict[int, Bid] = {}
    for bid in bids:
        chosen.setdefault(bid.supplier_id, bid)  # lowest amount, earliest first
    return list(chosen.values())


def _shown(amount: Decimal | None, currency: str) -> Decimal:
    """A standing quote's total in the currency's minor unit, as the API shows money (standing
    quotes have one: `standing_quotes` reads only those)."""
    if amount is None:
        raise ValueError("A standing quote has no amount.")
    return Decimal(format_money(amount, currency))


def standing_quotes_and_quotes(rfq: RFQ) -> tuple[list[Bid], list[Quote]]:
    """The standing bids and the quotes ranked from them; for lots, each supplier's package of
    its best bid per line (lots_award.py)."""
    if bids_per_line(rfq):
        def quote_of(bid: Bid, total: Decimal, items: int, at: datetime) -> Quote:
            return _quote(rfq, bid, total=total, items_quoted=items, submitted_at=at)
        return lots_quotes(rfq, quote_of)
    bids = standing_quotes(rfq)
    return bids, quotes_of(rfq, bids)


def _quote(rfq: RFQ, bid: Bid, *, total: Decimal, items_quoted: int, submitted_at: datetime) -> Quote:
    return Quote(bid_id=bid.pk, supplier_id=bid.supplier_id, supplier_name=bid.supplier.name,
                 total=_shown(total, rfq.currency), submitted_at=submitted_at, criteria=bid.criteria,
                 tier=bid.supplier.tier, performance_score=Decimal(bid.supplier.performance_score),
                 port_distance_km=_nearest_port_km(bid.supplier, rfq.delivery_port),
                 items_quoted=items_quoted, items_total=rfq.line_items.count())


def quotes_of(rfq: RFQ, bids: list[Bid] | None = None) -> list[Quote]:
    items_total = rfq.line_items.count()
    sealed = get_mechanism(rfq.auction_type).sealed
    return [Quote(bid_id=bid.pk, supplier_id=bid.supplier_id, supplier_name=bid.supplier.name,
                  total=_shown(bid.amount, rfq.currency),
                  submitted_at=bid.submitted_at, criteria=bid.criteria, tier=bid.supplier.tier,
                  performance_score=Decimal(bid.supplier.performance_score),
                  port_distance_km=_nearest_port_km(bid.supplier, rfq.delivery_port),
                  items_quoted=bid.items_quoted if sealed else items_total, items_total=items_total)
            for bid in (standing_quotes(rfq) if bids is None else bids)]


def rfq_evaluation(rfq: RFQ) -> Evaluation:
    """The evaluation of a closed RFQ (after the opening of sealed quotes). Split and bundle
    awards add the cost-minimal allocation (allocation.py)."""
    settings = rfq.auction_settings
    method = settings["scoring_method"] if rfq.auction_type == "MULTI_ATTRIBUTE" else "PRICE"
    pairwise = (settings.get("pairwise") or {}).get("weights") if method == "AHP" else None
    pricing = settings.get("pricing", "FIRST_PRICE") if rfq.auction_type == "SEALED_BID" else "FIRST_PRICE"
    allocated = allocates(rfq)
    bids, quotes = standing_quotes_and_quotes(rfq)
    evaluation = rank(quotes, method=method, criteria=settings.get("criteria", ()),
                      price_weight=settings.get("price_weight", 0), pairwise_weights=pairwise,
                      tie_breaking=rfq.tie_breaking or None, seed=rfq.tie_break_seed or 0,
                      reserve={"enabled": rfq.reserve_enabled, "amount": rfq.reserve_amount,
                               "visibility": rfq.reserve_visibility},
                      pricing="FIRST_PRICE" if allocated else pricing)
    return with_allocation(rfq, evaluation, bids, quotes) if allocated else evaluation


def ranking_summary(evaluation: Evaluation) -> dict[str, Any]:
    """What the audit trail keeps of an evaluation."""
    allocation = {} if evaluation.allocation is None else {"allocation": {key: evaluation.allocation[key] for key in (
        "allocation", "total_cost", "payments", "best_single_supplier", "saving", "allocation_problem")}}
    return allocation | {"method": evaluation.method, "outcome": evaluation.outcome,
            "recommended_bid_id": evaluation.recommended_bid_id, "reserve": evaluation.reserve,
            "tie_break": evaluation.tie_break, "pricing": evaluation.pricing,
            "rankings": [{key: row[key] for key in ("rank", "bid_id", "total", "score")} | {
                "supplier_id": row["supplier"]["id"]} for row in evaluation.rankings]}
