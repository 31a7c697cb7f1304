"""Auctions ready for bidding: created, invited, published, accepted through the API."""
import pytest

from tests.factories import published_rfq


@pytest.fixture
def reverse_rfq(demo):
    """An open reverse auction (ceiling 10 000, decrement 100) that supplier1–3 accepted."""
    return published_rfq(demo, suppliers=(1, 2, 3), accept=(1, 2, 3), reserve_price={"enabled": False}, auction={
        "type": "REVERSE_AUCTION", "settings": {"starting_price": "10000.00", "minimum_decrement": "100.00",
                                                "decrement_type": "AMOUNT", "rate_limit_bids_per_minute": 60}})


@pytest.fixture
def sealed_rfq(demo):
    """An open sealed-bid RFQ with two line items (40 and 20 bags) that supplier1–3 accepted."""
    return published_rfq(demo, suppliers=(1, 2, 3), accept=(1, 2, 3), auction={"type": "SEALED_BID", "settings": {}})
