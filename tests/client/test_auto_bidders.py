"""Two auto-bidders of different suppliers against each other (issue 16): they bid the
auction down step by step, the lower floor ends leading at most one step below the higher
floor, nobody bids below its floor, the cool-down is kept (few 429s), and both stop at the
close. Runs on the embedded default and on PostgreSQL + Redis alike."""
from __future__ import annotations

from decimal import Decimal

import pytest
from quayside_client import AutoBidder

from auctions.models import Bid
from rfqs.models import RFQ
from tests.client.conftest import close_now, token_of
from tests.client.running import RunningBidders
from tests.engine.helpers import reverse_auction
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

STEP = Decimal("100.00")
FLOORS = {1: Decimal("9000.00"), 2: Decimal("9400.00")}


def test_two_auto_bidders_bid_down_to_the_higher_floor_and_stop_at_the_close(demo, api, site):
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2), starting_price="9800.00", cool_down_seconds=1,
                          extension_trigger_minutes=0)
    tokens = {n: token_of(demo, f"supplier{n}") for n in (1, 2)}
    log: list[str] = []
    # Supplier 1 asks for its own step; supplier 2 goes by the server's minimum_next_bid.
    bidders = RunningBidders(site, rfq, tokens, {1: AutoBidder(FLOORS[1], STEP), 2: AutoBidder(FLOORS[2])}, log)

    def settled():
        assert bidders.error is None, bidders.error
        best = RFQ.objects.select_related("best_bid").get(pk=rfq)
        # Supplier 2 stops once the next allowed bid is below its floor: the best is under floor + step.
        return best.best_bid is not None and best.best_bid.supplier_id == demo.supplier(1).pk and \
            best.best_amount < FLOORS[2] + STEP

    wait_until(settled, 40, lambda: "\n".join(log), interval=0.2)
    close_now(api, rfq)
    bidders.thread.join(timeout=20)
    assert not bidders.thread.is_alive(), "\n".join(log)
    assert bidders.error is None, bidders.error

    final = RFQ.objects.get(pk=rfq)
    assert FLOORS[2] - STEP <= final.best_amount < FLOORS[2] + STEP
    bids = list(Bid.objects.filter(rfq_id=rfq).values_list("supplier_id", "amount"))
    for n in (1, 2):
        placed = [amount for supplier, amount in bids if supplier == demo.supplier(n).pk]
        assert placed and min(placed) >= FLOORS[n], (n, placed)
        report = bidders.reports[n]
        assert report.stopped == "auction closed", (n, report, log)
        assert report.rate_limited <= 2, (n, report.rate_limited, log)
        assert sorted(report.bids, reverse=True) == report.bids == sorted(placed, reverse=True)
    assert len(bids) >= 5  # a real exchange: 9800 down to about 9400
