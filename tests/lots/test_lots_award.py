"""Lots at evaluation and award: each line goes to its lowest standing bid, shown in the split
award's allocation output, awarded with "allocation": "recommended"; outcomes per supplier."""
from __future__ import annotations

from auctions.models import AwardLine, AwardPayment
from tests.api.helpers import assert_error
from tests.engine.helpers import created, items, transition, withdraw
from tests.factories import move_deadline_into_past

from .helpers import lot_bid, lots_auction


def close(api, rfq):
    move_deadline_into_past(rfq)
    assert transition(api, "buyer", rfq, "close").status_code == 200


def test_each_line_is_awarded_to_its_best_bid_and_paid_as_bid(api, demo, django_capture_on_commit_callbacks):
    rfq = lots_auction(demo)
    rice, flour = items(rfq)
    created(lot_bid(api, "supplier1", rfq, rice, "950.00"))
    created(lot_bid(api, "supplier2", rfq, rice, "930.00"))
    created(lot_bid(api, "supplier1", rfq, flour, "490.00"))
    created(lot_bid(api, "supplier3", rfq, flour, "470.00"))
    late = created(lot_bid(api, "supplier1", rfq, flour, "450.00"))
    assert withdraw(api, "supplier1", rfq, late["id"]).status_code == 200  # flour falls back to supplier3
    close(api, rfq)
    evaluation = api("buyer").get(f"/api/v1/rfqs/{rfq}/evaluation/").json()
    rows = {row["line_item_id"]: row for row in evaluation["allocation"]}
    assert (rows[rice]["supplier"]["id"], rows[rice]["amount"], rows[rice]["quantity"]) == (
        demo.supplier(2).pk, "930.00", 40)
    assert rows[rice]["unit_price"] == "23.25"  # 930.00 ÷ 40
    assert (rows[flour]["supplier"]["id"], rows[flour]["amount"]) == (demo.supplier(3).pk, "470.00")
    assert evaluation["total_cost"] == "1400.00" and evaluation["pricing"]["rule"] == "FIRST_PRICE"
    # supplier1 bid on both lines: 950 + 490 = 1440 is the best award of everything to one supplier.
    assert evaluation["best_single_supplier"] == {"supplier": {"id": demo.supplier(1).pk,
                                                               "name": demo.supplier(1).name}, "total": "1440.00"}
    assert evaluation["saving"] == "40.00"
    ranked = {row["supplier"]["id"]: row for row in evaluation["rankings"]}
    assert ranked[demo.supplier(1).pk]["total"] == "1440.00"  # its package: its best per line
    assert transition(api, "buyer", rfq, "evaluate").json()["status"] == "evaluation"
    assert_error(api("buyer").post(f"/api/v1/rfqs/{rfq}/award/", {"allocation": {"lines": []}, "reason": "x"},
                                   format="json"), 400)
    with django_capture_on_commit_callbacks(execute=True):
        awarded = api("buyer").post(f"/api/v1/rfqs/{rfq}/award/", {"allocation": "recommended"}, format="json")
    assert awarded.status_code == 200, awarded.content
    assert sorted((a.line_item_id, a.supplier_id, str(a.amount)) for a in AwardLine.objects.filter(rfq_id=rfq)) == \
        sorted([(rice, demo.supplier(2).pk, "930.0000"), (flour, demo.supplier(3).pk, "470.0000")])
    assert {p.supplier_id: str(p.payment) for p in AwardPayment.objects.filter(rfq_id=rfq)} == {
        demo.supplier(2).pk: "930.0000", demo.supplier(3).pk: "470.0000"}
    won = api("supplier2").get(f"/api/v1/rfqs/{rfq}/outcome/").json()
    assert won["status"] == "awarded" and won["total"] == "930.00"
    assert api("supplier1").get(f"/api/v1/rfqs/{rfq}/outcome/").json()["status"] == "not_selected"


def test_a_line_nobody_bid_on_is_not_awarded_and_no_bid_at_all_is_no_award(api, demo):
    rfq = lots_auction(demo)
    rice, flour = items(rfq)
    created(lot_bid(api, "supplier1", rfq, rice, "950.00"))
    close(api, rfq)
    evaluation = api("buyer").get(f"/api/v1/rfqs/{rfq}/evaluation/").json()
    assert [row["line_item_id"] for row in evaluation["allocation"]] == [rice]
    assert evaluation["best_single_supplier"] is None and evaluation["total_cost"] == "950.00"
    empty = lots_auction(demo)
    close(api, empty)
    assert transition(api, "buyer", empty, "evaluate").json()["status"] == "no_award"
