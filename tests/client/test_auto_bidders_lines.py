"""Two per-line auto-bidders of different suppliers against each other in a per-line reverse
auction (bidding_basis PER_LINE, api.md "Lots"): each line is bid down on its own, by the
line's leading bid and next limit, with line_item_id on every bid; each supplier ends leading
the line where its floor is the lower one, nobody bids below its floor for that line, and
both stop at the close. Runs on the embedded default and on PostgreSQL + Redis alike."""
from __future__ import annotations

from decimal import Decimal

import pytest
from quayside_client import PerLineBidder

from auctions.models import Bid
from rfqs.models import LineItem
from tests.client.conftest import close_now, token_of
from tests.client.running import RunningBidders
from tests.engine.helpers import items
from tests.lots.helpers import lots_auction
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

DECREMENT = Decimal("10.00")  # the lots' minimum decrement, per line
RICE_STEP = Decimal("20.00")  # supplier 1's own step on rice (bigger than the auction's)


def floors(rice: int, flour: int) -> dict[int, dict[int, Decimal]]:
    """Supplier → line → floor: supplier 1 goes lower on rice (ceiling 1000), supplier 2 on flour (500)."""
    return {1: {rice: Decimal("900.00"), flour: Decimal("470.00")},
            2: {rice: Decimal("950.00"), flour: Decimal("440.00")}}


def test_two_per_line_auto_bidders_each_win_the_line_of_its_lower_floor(demo, api, site):
    rfq = lots_auction(demo, suppliers=(1, 2), accept=(1, 2), cool_down_seconds=1, extension_trigger_minutes=0)
    rice, flour = items(rfq)
    limits = floors(rice, flour)
    bidders = {1: PerLineBidder(limits[1], steps={rice: RICE_STEP}), 2: PerLineBidder(limits[2])}
    log: list[str] = []
    running = RunningBidders(site, rfq, {n: token_of(demo, f"supplier{n}") for n in (1, 2)}, bidders, log)

    def settled():
        assert running.error is None, running.error
        best = {line.pk: line for line in LineItem.objects.filter(rfq_id=rfq)}
        leaders = {line: Bid.objects.filter(rfq_id=rfq, line_item_id=line, amount=best[line].best_amount)
                   .values_list("supplier_id", flat=True).first() for line in (rice, flour)}
        # The loser of each line stops once that line's next allowed bid is below its floor there.
        return leaders == {rice: demo.supplier(1).pk, flour: demo.supplier(2).pk} and \
            best[rice].best_amount < limits[2][rice] + DECREMENT and best[flour].best_amount < limits[1][flour] + DECREMENT

    wait_until(settled, 40, lambda: "\n".join(log), interval=0.2)
    close_now(api, rfq)
    running.thread.join(timeout=20)
    assert not running.thread.is_alive(), "\n".join(log)
    assert running.error is None, running.error

    lines = {line.pk: line.best_amount for line in LineItem.objects.filter(rfq_id=rfq)}
    assert limits[2][rice] - RICE_STEP <= lines[rice] < limits[2][rice] + DECREMENT  # 930 ≤ rice < 960
    assert limits[1][flour] - DECREMENT <= lines[flour] < limits[1][flour] + DECREMENT  # 460 ≤ flour < 480
    bids = list(Bid.objects.filter(rfq_id=rfq).values_list("supplier_id", "line_item_id", "amount"))
    assert all(line in (rice, flour) for _, line, _ in bids)  # every bid names its line
    for n in (1, 2):
        report = running.reports[n]
        assert report.stopped == "auction closed", (n, report, log)
        assert report.rate_limited <= 2, (n, report.rate_limited, log)
        for line in (rice, flour):
            placed = [amount for supplier, on, amount in bids if supplier == demo.supplier(n).pk and on == line]
            assert placed and min(placed) >= limits[n][line], (n, line, placed)
            assert sorted(report.line_bids[line], reverse=True) == report.line_bids[line] == sorted(placed, reverse=True)
    assert len(bids) >= 8  # a real exchange on both lines: rice 1000 down to about 950, flour 500 to about 470
