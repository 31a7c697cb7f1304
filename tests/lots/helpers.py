"""Per-line reverse auctions (lots): an open auction of two lines and bids on them."""
from __future__ import annotations

from tests.factories import published_rfq

# Rice: 40 bags, ceiling 1000.00; flour: 20 bags, ceiling 500.00; decrement 10.00 per line.
LOT_LINES = [{"description": "Rice 25kg", "quantity": "40", "unit": "bag", "starting_price": "1000.00"},
             {"description": "Flour 10kg", "quantity": "20", "unit": "bag", "starting_price": "500.00"}]
PER_LINE = {"bidding_basis": "PER_LINE", "minimum_decrement": "10.00", "decrement_type": "AMOUNT",
            "rate_limit_bids_per_minute": 60}


def lots_auction(demo, *, suppliers=(1, 2, 3), accept=(1, 2, 3), **settings) -> int:
    return published_rfq(demo, suppliers=suppliers, accept=accept, reserve_price={"enabled": False},
                         line_items=LOT_LINES, auction={"type": "REVERSE_AUCTION", "settings": {**PER_LINE, **settings}})


def lot_bid(api, user: str, rfq_id: int, line_item_id: int, amount: str, **extra):
    return api(user).post(f"/api/v1/rfqs/{rfq_id}/bids/", {"line_item_id": line_item_id, "amount": amount},
                          format="json", **extra)
