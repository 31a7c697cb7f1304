"""Scores are reproducible from the stored quotes and settings alone (product.md §4.3)."""
from decimal import Decimal

import pytest

from auctions.evaluation import Quote, rank
from auctions.models import Bid, BidLine
from audit.models import AuditEvent
from rfqs.models import RFQ
from tests.factories import move_deadline_into_past, published_rfq

CRITERIA = [
    {"id": "delivery_days", "name": "Delivery", "weight": 30, "type": "NUMERIC", "higher_is_better": False,
     "min_value": 0, "max_value": 60},
    {"id": "warranty", "name": "Warranty", "weight": 20, "type": "NUMERIC", "higher_is_better": True,
     "min_value": 0, "max_value": 60},
    {"id": "class_certified", "name": "Class", "weight": 10, "type": "BOOLEAN", "higher_is_better": True},
]
QUOTES = {  # supplier → (unit prices for the two lines, criteria)
    1: (("120.00", "60.00"), {"delivery_days": 14, "warranty": 24, "class_certified": True}),
    2: (("110.00", "58.00"), {"delivery_days": 30, "warranty": 12, "class_certified": False}),
    3: (("125.00", "65.00"), {"delivery_days": 7, "warranty": 36, "class_certified": True}),
}


@pytest.mark.parametrize("method", ["WEIGHTED_SUM", "TOPSIS", "AHP"])
def test_reported_scores_equal_a_recomputation_from_stored_rows(api, demo, method):
    settings = {"scoring_method": method, "price_weight": 40, "criteria": CRITERIA}
    if method == "AHP":
        settings["pairwise"] = {"order": ["price", "delivery_days", "warranty", "class_certified"],
                                "matrix": [[1, 2, 3, 4], ["1/2", 1, 2, 3], ["1/3", "1/2", 1, 2],
                                           ["1/4", "1/3", "1/2", 1]]}
    rfq_id = published_rfq(demo, suppliers=(1, 2, 3), accept=(1, 2, 3), reserve_price={"enabled": False},
                           auction={"type": "MULTI_ATTRIBUTE", "settings": settings})
    items = list(RFQ.objects.get(pk=rfq_id).line_items.order_by("position").values_list("pk", flat=True))
    for n, (prices, criteria) in QUOTES.items():
        body = {"line_items": [{"line_item_id": i, "unit_price": p} for i, p in zip(items, prices, strict=True)],
                "criteria": criteria}
        assert api(f"supplier{n}").post(f"/api/v1/rfqs/{rfq_id}/bids/", body, format="json").status_code == 201
    move_deadline_into_past(rfq_id)
    assert api("buyer").post(f"/api/v1/rfqs/{rfq_id}/close/", {}, format="json").status_code == 200
    reported = api("buyer").get(f"/api/v1/rfqs/{rfq_id}/evaluation/").json()

    # Independently of the service: quotes rebuilt from the opened rows and the stored settings.
    rfq = RFQ.objects.get(pk=rfq_id)
    quotes = []
    for bid in Bid.objects.filter(rfq=rfq, status="accepted").select_related("supplier"):
        total = sum((line.line_total for line in BidLine.objects.filter(bid=bid)), Decimal(0))
        assert total == bid.amount  # the opened total is the sum of its lines
        quotes.append(Quote(bid_id=bid.pk, supplier_id=bid.supplier_id, supplier_name=bid.supplier.name,
                            total=total.quantize(Decimal("0.01")), submitted_at=bid.submitted_at,
                            criteria=bid.criteria, tier=bid.supplier.tier,
                            performance_score=bid.supplier.performance_score, items_quoted=2, items_total=2))
    stored = rfq.auction_settings
    again = rank(quotes, method=method, criteria=stored["criteria"], price_weight=stored["price_weight"],
                 pairwise_weights=(stored.get("pairwise") or {}).get("weights"), tie_breaking=rfq.tie_breaking,
                 seed=rfq.tie_break_seed)
    assert [(r["bid_id"], r["score"]) for r in reported["rankings"]] == \
        [(r["bid_id"], r["score"]) for r in again.rankings]
    assert reported["recommended_bid_id"] == again.recommended_bid_id
    assert all(set(r["breakdown"]) >= {"price", "delivery_days", "warranty", "class_certified"}
               for r in reported["rankings"])
    # And what the audit trail recorded at close is what the buyer is shown now.
    ranked = AuditEvent.objects.get(rfq_id=rfq_id, type="auction.ranked").payload
    assert [(r["bid_id"], r["score"]) for r in ranked["rankings"]] == \
        [(r["bid_id"], r["score"]) for r in reported["rankings"]]
