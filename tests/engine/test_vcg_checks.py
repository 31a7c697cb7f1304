"""product.md §7: VCG payments with individual rationality checked (no winner paid below its
bid) and the premium shown. A winner without whom no allocation covers every line has no VCG
price and is paid as bid, and the evaluation, the page and the award's audit event say so.
Hand-worked figures."""
from decimal import Decimal as D

from auctions.evaluation.allocation import Line, Offer, SplitProblem, payments, solve_split
from auctions.selectors.allocation import vcg_checks
from audit.models import AuditEvent

from .helpers import created, items, quote, transition
from .split_helpers import close_and_evaluate, split_auction


def test_a_winner_no_allocation_can_do_without_is_paid_as_bid_and_named(api, demo, login):
    rfq = split_auction(demo)
    rice, flour = items(rfq)  # 40 bags of rice, 20 of flour
    # Only supplier1 quotes flour: without it no allocation covers flour.
    created(quote(api, "supplier1", rfq, [{"line_item_id": rice, "unit_price": "10.00", "max_quantity": 30},
                                          {"line_item_id": flour, "unit_price": "8.00"}]))
    created(quote(api, "supplier2", rfq, [{"line_item_id": rice, "unit_price": "11.00"}]))
    created(quote(api, "supplier3", rfq, [{"line_item_id": rice, "unit_price": "12.00"}]))
    body = close_and_evaluate(api, rfq)
    s1, s2 = demo.supplier(1), demo.supplier(2)
    # Rice 30 × 10 (s1, its maximum) + 10 × 11 (s2) = 410, flour 20 × 8 (s1) = 160: 570.
    assert body["total_cost"] == "570.00"
    paid = {p["supplier"]["id"]: (p["pay_as_bid"], p["payment"]) for p in body["payments"]}
    # s1: paid as bid, 460. s2: without it rice 30 × 10 + 10 × 12 and flour 160 = 580, the
    # others' cost in this allocation 460 → 120 (a premium of 10 over its 110).
    assert paid == {s1.pk: ("460.00", "460.00"), s2.pk: ("110.00", "120.00")}
    checks = {"individually_rational": True, "paid_as_bid": [s1.pk]}
    assert body["pricing"] == {"rule": "VCG", "total_payment": "580.00", **checks}
    transition(api, "buyer", rfq, "evaluate")
    page = login("buyer").get(f"/rfqs/{rfq}/evaluation/").content.decode()
    assert f"Paid as bid: {s1.name} — without this supplier no allocation covers every line" in page
    assert "Checked: no winner is paid below its bid." in page and 'data-testid="vcg-not-rational"' not in page
    assert api("buyer").post(f"/api/v1/rfqs/{rfq}/award/", {"allocation": "recommended"},
                             format="json").status_code == 200
    pricing = AuditEvent.objects.get(rfq_id=rfq, type="rfq.award").payload["pricing"]
    assert pricing == {"rule": "VCG", "total_payment": "580.00", **checks}


def test_a_payment_below_the_bid_is_reported_not_individually_rational():
    """Only an allocation that is not the cost minimum can pay a winner below its bid under VCG
    (here the dearer of two offers, as if picked by hand): the check says so."""
    problem = SplitProblem((Line(1, 5),), (Offer(1, 11, 1, D("3.00"), 1, 5), Offer(2, 12, 1, D("2.00"), 1, 5)))
    dearer = solve_split(SplitProblem(problem.lines, problem.offers[:1]))
    assert vcg_checks("VCG", payments(problem, dearer, "VCG")) == {"individually_rational": False, "paid_as_bid": []}
    cheapest = solve_split(problem)
    assert vcg_checks("VCG", payments(problem, cheapest, "VCG")) == {"individually_rational": True, "paid_as_bid": []}
    assert vcg_checks("FIRST_PRICE", payments(problem, cheapest, "FIRST_PRICE")) == {}
