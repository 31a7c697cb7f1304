"""The tie-break's final fallback `split_award` (product.md §4.4), carried out at award: the tied
quotes share each line's quantity and each supplier is paid its own prices for its share; the
trail records the split and the verifier checks it."""
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from auctions.models import AwardLine, AwardPayment
from auctions.services.tie_split import shares
from audit.models import AuditEvent
from oversight.reports.builder import build_report
from oversight.selectors import audit_verify
from rfqs.models import RFQ
from tests.factories import move_deadline_into_past, published_rfq

from .helpers import created, items, quote, transition
from .test_outcome import award, mails_to, outcome

SPLIT_TIES = {"criteria": [], "final_fallback": "split_award"}


def test_shares_are_equal_in_the_quantitys_own_unit():
    assert shares(Decimal("40"), 3) == [14, 13, 13]
    assert shares(Decimal("2.5"), 2) == [Decimal("1.3"), Decimal("1.2")]
    assert shares(Decimal("1"), 2) == [1, 0]


@given(st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("100000"), places=4), st.integers(1, 9))
def test_shares_add_up_and_differ_by_at_most_one_unit(quantity, parts):
    split = shares(quantity, parts)
    assert sum(split) == quantity and len(split) == parts and split == sorted(split, reverse=True)
    unit = Decimal(1).scaleb(min(0, quantity.normalize().as_tuple().exponent))
    assert split[0] - split[-1] <= unit


def test_the_buyer_awards_the_tie_from_the_page(api, demo, login):
    rfq = published_rfq(demo, suppliers=(1, 2), accept=(1, 2), reserve_price={"enabled": False},
                        tie_breaking=SPLIT_TIES, auction={"type": "SEALED_BID", "settings": {}})
    rice, flour = items(rfq)
    first = created(quote(api, "supplier1", rfq, {rice: "10.00", flour: "5.00"}))
    created(quote(api, "supplier2", rfq, {rice: "11.00", flour: "3.00"}))
    move_deadline_into_past(rfq)
    for name in ("close", "evaluate"):
        assert transition(api, "buyer", rfq, name).status_code == 200
    buyer = login("buyer")
    response = buyer.post(f"/rfqs/{rfq}/award/", {"bid_id": first["id"], "reason": ""}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "awarded in shares to the tied suppliers" in page
    assert demo.supplier(1).name in page and demo.supplier(2).name in page
    assert AwardPayment.objects.filter(rfq_id=rfq).count() == 2


def test_tied_quotes_share_the_award(api, demo, django_capture_on_commit_callbacks):
    rfq = published_rfq(demo, suppliers=(1, 2, 3), accept=(1, 2, 3), reserve_price={"enabled": False},
                        tie_breaking=SPLIT_TIES, auction={"type": "SEALED_BID", "settings": {}})
    rice, flour = items(rfq)  # 40 bags and 20 bags
    first = created(quote(api, "supplier1", rfq, {rice: "10.00", flour: "5.00"}))  # 500.00
    created(quote(api, "supplier2", rfq, {rice: "11.00", flour: "3.00"}))  # 500.00 too
    created(quote(api, "supplier3", rfq, {rice: "12.00", flour: "6.00"}))  # 600.00
    award(api, rfq, first["id"], django_capture_on_commit_callbacks)
    s1, s2 = demo.supplier(1).pk, demo.supplier(2).pk
    stored = sorted(AwardLine.objects.filter(rfq_id=rfq).values_list("supplier_id", "line_item_id", "quantity", "amount"))
    assert stored == sorted([(s1, rice, 20, Decimal("200.00")), (s1, flour, 10, Decimal("50.00")),
                             (s2, rice, 20, Decimal("220.00")), (s2, flour, 10, Decimal("30.00"))])
    assert sorted(AwardPayment.objects.filter(rfq_id=rfq).values_list("supplier_id", "payment")) == [
        (s1, Decimal("250.00")), (s2, Decimal("250.00"))]
    for user, won in (("supplier1", "250.00"), ("supplier2", "250.00")):
        body = outcome(api, user, rfq).json()
        assert (body["status"], body["payment"], [line["quantity"] for line in body["lines"]]) == (
            "awarded", won, [20, 10])
    assert outcome(api, "supplier3", rfq).json()["status"] == "not_selected"
    assert "won" in mails_to(demo, 2)[0].subject.lower()
    event = AuditEvent.objects.get(rfq_id=rfq, type="rfq.award")
    assert event.payload["split_award"] is True and event.payload["shared_by"] == [first["id"], first["id"] + 1]
    assert audit_verify(rfq_id=rfq).ok
    report = build_report(RFQ.objects.get(pk=rfq))["outcome"]  # the fairness report names both winners
    assert report["awarded"] and {p["supplier"]["id"] for p in report["allocation"]["payments"]} == {s1, s2}
    AwardLine.objects.filter(rfq_id=rfq, supplier_id=s2, line_item_id=rice).update(quantity=25)
    result = audit_verify(rfq_id=rfq)
    assert not result.ok and result.first_bad_seq == event.seq
