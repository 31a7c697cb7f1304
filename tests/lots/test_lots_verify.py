"""The audit verifier replays lots: each line's best and count are rebuilt from the events and
checked against the line's row, and the auction row keeps no best of its own."""
from __future__ import annotations

from oversight.selectors import audit_verify
from rfqs.models import LineItem
from tests.engine.helpers import created, items, withdraw

from .helpers import lot_bid, lots_auction


def test_bids_and_withdrawals_on_lines_verify_and_a_changed_line_best_is_named(api, demo):
    rfq = lots_auction(demo)
    rice, flour = items(rfq)
    created(lot_bid(api, "supplier1", rfq, rice, "950.00"))
    created(lot_bid(api, "supplier2", rfq, flour, "300.00"))  # below every rice bid: no auction-wide best
    best = created(lot_bid(api, "supplier2", rfq, rice, "900.00"))
    assert audit_verify(rfq_id=rfq).ok
    assert withdraw(api, "supplier2", rfq, best["id"]).status_code == 200
    assert audit_verify(rfq_id=rfq).ok
    LineItem.objects.filter(pk=rice).update(best_amount="800.00")  # behind the bid path's back
    verification = audit_verify(rfq_id=rfq)
    assert not verification.ok
    assert f"line {rice}'s best amount is 800.00, the events say 950.00" in verification.problem
