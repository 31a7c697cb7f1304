"""The leading-price step line both bid-progression charts draw (common.charts)."""
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from common.charts import PricedBid, leading_line, leading_steps

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_withdrawn_leading_bid_leads_until_its_withdrawal_then_the_best_falls_back():
    bids = [PricedBid(at(0), Decimal("9500")), PricedBid(at(10), Decimal("9300"), withdrawn_at=at(40)),
            PricedBid(at(60), Decimal("9400"))]
    assert leading_steps(bids) == [(at(0), Decimal("9500")), (at(10), Decimal("9300")),
                                   (at(40), Decimal("9500")), (at(60), Decimal("9400"))]
    assert leading_line(bids, at(90)) == [[
        (at(0), Decimal("9500")), (at(10), Decimal("9500")), (at(10), Decimal("9300")), (at(40), Decimal("9300")),
        (at(40), Decimal("9500")), (at(60), Decimal("9500")), (at(60), Decimal("9400")), (at(90), Decimal("9400"))]]


def test_a_withdrawal_that_does_not_lead_changes_nothing_and_no_bid_standing_leaves_a_gap():
    bids = [PricedBid(at(0), Decimal("9000")), PricedBid(at(5), Decimal("9500"), withdrawn_at=at(7))]
    assert leading_steps(bids) == [(at(0), Decimal("9000"))]
    alone = [PricedBid(at(0), Decimal("9000"), withdrawn_at=at(5)), PricedBid(at(20), Decimal("8800"))]
    assert leading_line(alone, at(30)) == [[(at(0), Decimal("9000")), (at(5), Decimal("9000"))],
                                           [(at(20), Decimal("8800")), (at(30), Decimal("8800"))]]
