"""api.md "Split and bundle awards": an allocation is the exact cost minimum, ties between
allocations of equal cost broken by the RFQ's tie-breaking chain. Two suppliers quote the same
prices, so every split of the lines between them costs the same: the chain decides who gets
them, through the API's evaluation as the buyer sees it."""
import pytest

from tests.factories import published_rfq

from .helpers import created, items, quote
from .split_helpers import SPLIT, close_and_evaluate


@pytest.mark.parametrize(("criteria", "winner"), [
    (["earliest_submission"], "supplier2"),  # supplier2 quoted first
    (["higher_tier", "earliest_submission"], "supplier1"),  # GOLD before SILVER, though later
])
def test_equal_cost_allocations_go_the_way_of_the_tie_breaking_chain(api, demo, criteria, winner):
    rfq = published_rfq(demo, suppliers=(1, 2), accept=(1, 2), reserve_price={"enabled": False},
                        tie_breaking={"criteria": criteria, "final_fallback": "random"},
                        auction={"type": "SEALED_BID", "settings": {**SPLIT, "pricing": "FIRST_PRICE"}})
    rice, flour = items(rfq)
    for supplier in ("supplier2", "supplier1"):
        created(quote(api, supplier, rfq, [{"line_item_id": rice, "unit_price": "10.00"},
                                           {"line_item_id": flour, "unit_price": "5.00"}]))
    body = close_and_evaluate(api, rfq)
    who = {demo.supplier(n).pk: f"supplier{n}" for n in (1, 2)}
    assert body["total_cost"] == "500.00"  # 40 × 10 + 20 × 5, however it is split
    assert sorted((who[r["supplier"]["id"]], r["line_item_id"], r["quantity"]) for r in body["allocation"]) == sorted([
        (winner, rice, 40), (winner, flour, 20)])
