"""Auctions for the fairness-report tests, run through the public API as people would."""
from __future__ import annotations

from tests.engine.helpers import bid, created, reverse_auction, set_deadline, withdraw
from tests.factories import move_deadline_into_past

RESERVE = {"enabled": True, "amount": "4850.00", "visibility": "hidden", "auto_accept_if_met": False,
           "notify_buyer_if_not_met": True}


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:2000])
    return response.json()


def close_and_evaluate(api, rfq_id: int) -> dict:
    """Close (deadline moved into the past), start evaluation; return the evaluation JSON."""
    move_deadline_into_past(rfq_id)
    ok(api("buyer").post(f"/api/v1/rfqs/{rfq_id}/close/", {}, format="json"))
    ok(api("buyer").post(f"/api/v1/rfqs/{rfq_id}/evaluate/", {}, format="json"))
    return ok(api("buyer").get(f"/api/v1/rfqs/{rfq_id}/evaluation/"))


def eventful_auction(api, demo) -> dict:
    """Four suppliers, a hidden reserve, an outlier, an anti-sniping extension, a withdrawal, a
    refused bid; closed and awarded to the second-ranked quote as a manual override.

    Returns the ids and, per supplier, its standing amount at close."""
    rfq = reverse_auction(demo, suppliers=(1, 2, 3, 4), accept=(1, 2, 3, 4), reserve=RESERVE)
    placed = {"s1": created(bid(api, "supplier1", rfq, "9900.00")),
              "s2a": created(bid(api, "supplier2", rfq, "5100.00")),
              "s2": created(bid(api, "supplier2", rfq, "5000.00")),
              "s3": created(bid(api, "supplier3", rfq, "4900.00"))}
    set_deadline(rfq, 120)  # inside the 5-minute trigger: the next bid extends the deadline
    placed["s4"] = created(bid(api, "supplier4", rfq, "4800.00"))
    assert placed["s4"]["extensions"] == 1
    set_deadline(rfq, 900)  # well outside the trigger again: one extension in all
    placed["s4b"] = created(bid(api, "supplier4", rfq, "4700.00"))
    ok(withdraw(api, "supplier4", rfq, placed["s4b"]["id"]))
    refused = bid(api, "supplier1", rfq, "4750.00")  # does not beat 4800 by the 100 decrement
    assert refused.status_code == 422, refused.content
    evaluation = close_and_evaluate(api, rfq)
    assert evaluation["recommended_bid_id"] == placed["s4"]["id"]
    ok(api("buyer").post(f"/api/v1/rfqs/{rfq}/award/", {"bid_id": placed["s3"]["id"],
                                                         "reason": "Supplier 4 cannot deliver before sailing."},
                         format="json"))
    return {"rfq": rfq, "bids": placed, "standing": {"supplier1": "9900.00", "supplier2": "5000.00",
                                                      "supplier3": "4900.00", "supplier4": "4800.00"}}
