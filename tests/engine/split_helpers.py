"""Split and bundle auctions for the split-award tests: built, quoted on, closed and evaluated."""
from tests.factories import move_deadline_into_past, published_rfq

from .helpers import created, items, quote, transition

SPLIT = {"award_mode": "SPLIT", "pricing": "VCG"}


def split_auction(demo, **settings) -> int:
    return published_rfq(demo, suppliers=(1, 2, 3), accept=(1, 2, 3), reserve_price={"enabled": False},
                         auction={"type": "SEALED_BID", "settings": {**SPLIT, **settings}})


def bundle_auction(demo, **settings) -> int:
    return published_rfq(demo, suppliers=(1, 2, 3), accept=(1, 2, 3), reserve_price={"enabled": False},
                         auction={"type": "COMBINATORIAL", "settings": {"pricing": "VCG", **settings}})


def bundles(api, user, rfq, offers):
    body = {"bundles": [{"line_item_ids": ids, "price": price} for ids, price in offers]}
    return api(user).post(f"/api/v1/rfqs/{rfq}/bids/", body, format="json")


def close_and_evaluate(api, rfq) -> dict:
    move_deadline_into_past(rfq)
    assert transition(api, "buyer", rfq, "close").status_code == 200
    response = api("buyer").get(f"/api/v1/rfqs/{rfq}/evaluation/")
    assert response.status_code == 200, response.content
    return response.json()


def names(demo) -> dict:
    return {demo.supplier(n).pk: f"supplier{n}" for n in (1, 2, 3)}

def split_quotes(api, rfq):
    """40 bags of rice, 20 of flour. Cheapest: rice 30 × 10 (s1) + 10 × 11 (s2) = 410; flour
    10 × 7 (s2, its minimum and maximum) + 10 × 8 (s1) = 150; total 560."""
    rice, flour = items(rfq)
    created(quote(api, "supplier1", rfq, [
        {"line_item_id": rice, "unit_price": "10.00", "max_quantity": 30, "min_quantity": 10},
        {"line_item_id": flour, "unit_price": "8.00"}]))
    created(quote(api, "supplier2", rfq, [
        {"line_item_id": rice, "unit_price": "11.00"},
        {"line_item_id": flour, "unit_price": "7.00", "max_quantity": 10, "min_quantity": 10}]))
    created(quote(api, "supplier3", rfq, [
        {"line_item_id": rice, "unit_price": "12.00"}, {"line_item_id": flour, "unit_price": "9.00"}]))
    return rice, flour
