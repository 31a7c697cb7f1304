"""Split and bundle awards on the pages: the buyer's evaluation page shows and awards the allocation,
the supplier's page sends split quantities, the fairness report page and PDF show the outcome."""
from decimal import Decimal

from auctions.models import AwardPayment, Bid
from auctions.selectors import own_quote
from rfqs.models import RFQ

from .helpers import created, items, transition
from .split_helpers import bundle_auction, bundles, close_and_evaluate, split_auction, split_quotes


def test_evaluation_page_shows_the_allocation_and_awards_it(api, demo, login):
    rfq = split_auction(demo)
    rice, flour = split_quotes(api, rfq)
    close_and_evaluate(api, rfq)
    transition(api, "buyer", rfq, "evaluate")
    buyer = login("buyer")
    page = buyer.get(f"/rfqs/{rfq}/evaluation/").content.decode()
    for text in ("Recommended allocation", "USD 560.00", "USD 660.00", "USD 100.00", "USD 620.00",
                 "Award recommended allocation", "Manual override", "USD 40.00"):
        assert text in page, text
    assert page.count('data-testid="allocation-row"') == 4
    # A manual selection from the page: everything from supplier3, with a reason.
    bid3 = next(b["id"] for b in api("buyer").get(f"/api/v1/rfqs/{rfq}/bids/").json()
                if b["supplier"]["id"] == demo.supplier(3).pk)
    # Ids no row can have, and a quantity beyond any line: refused with a message, nothing awarded.
    huge = str(2**70)
    for selection in ({f"q_{huge}_{rice}": "40"}, {f"q_{bid3}_{huge}": "40"}, {f"q_{bid3}_{rice}": huge},
                      {f"bundle_{huge}": "0"}, {f"bundle_{bid3}": huge}, {f"q_{bid3}_-1": "40"},
                      {f"q_{bid3}_{rice}": "40", "reason": "x" * 2001}):  # a reason too long: refused, not cut
        refused = buyer.post(f"/rfqs/{rfq}/award/", {"allocation": "manual", "reason": "Probe", **selection},
                             follow=True)
        assert refused.status_code == 200 and "flash--error" in refused.content.decode(), selection
        assert RFQ.objects.get(pk=rfq).status != "awarded"
    response = buyer.post(f"/rfqs/{rfq}/award/", {"allocation": "manual", f"q_{bid3}_{rice}": "40",
                                                  f"q_{bid3}_{flour}": "20", "reason": "One delivery"}, follow=True)
    assert "manual override" in response.content.decode()
    assert RFQ.objects.get(pk=rfq).status == "awarded" and RFQ.objects.get(pk=rfq).award_override
    page = buyer.get(f"/rfqs/{rfq}/evaluation/").content.decode()
    assert "Awarded allocation" in page and "USD 660.00" in page and "One delivery" in page


def test_evaluation_page_awards_the_recommended_bundles(api, demo, login):
    rfq = bundle_auction(demo)
    rice, flour = items(rfq)
    created(bundles(api, "supplier1", rfq, [([rice, flour], "75.00"), ([rice], "40.00")]))
    created(bundles(api, "supplier2", rfq, [([flour], "30.00")]))
    close_and_evaluate(api, rfq)
    transition(api, "buyer", rfq, "evaluate")
    buyer = login("buyer")
    assert "Bundle 2" in buyer.get(f"/rfqs/{rfq}/evaluation/").content.decode()
    buyer.post(f"/rfqs/{rfq}/award/", {"allocation": "recommended"})
    assert RFQ.objects.get(pk=rfq).status == "awarded"
    assert AwardPayment.objects.filter(rfq_id=rfq).count() == 2


def test_a_split_quote_from_the_supplier_page_carries_its_quantities(api, demo, login):
    rfq = split_auction(demo)
    rice, flour = items(rfq)
    supplier = login("supplier1")
    page = supplier.get(f"/supplier/rfqs/{rfq}/").content.decode()
    assert f'name="maxq_{rice}"' in page and f'name="minq_{flour}"' in page
    supplier.post(f"/supplier/rfqs/{rfq}/bid/", {f"price_{rice}": "10.00", f"maxq_{rice}": "30", f"minq_{rice}": "10",
                                                f"price_{flour}": ""})
    [own] = api("supplier1").get(f"/api/v1/rfqs/{rfq}/bids/").json()
    assert own_quote(Bid.objects.get(pk=own["id"]))["lines"] == [
        {"line_item_id": rice, "unit_price": Decimal("10.00"), "max_quantity": 30, "min_quantity": 10}]


def test_the_fairness_report_page_and_pdf_show_the_allocation(api, demo, login):
    rfq = split_auction(demo)
    split_quotes(api, rfq)
    close_and_evaluate(api, rfq)
    transition(api, "buyer", rfq, "evaluate")
    assert api("buyer").post(f"/api/v1/rfqs/{rfq}/award/", {"allocation": "recommended"}, format="json").status_code == 200
    page = login("buyer").get(f"/rfqs/{rfq}/fairness-report/").content.decode()
    assert 'data-testid="outcome-allocation"' in page
    assert "560.00 to 2 suppliers" in page and "paid 420.00 (VCG)" in page
    from oversight.reports.pdf import _allocation
    report = api("buyer").get(f"/api/v1/rfqs/{rfq}/fairness-report/").json()
    assert len(_allocation(report["outcome"]["allocation"])) == 8  # facts, then the allocation and payments tables
    pdf = api("buyer").get(f"/api/v1/rfqs/{rfq}/fairness-report/?format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
