"""Every kind of closed auction has a report, as JSON, PDF and page: a sealed-bid RFQ (prices
sealed in the trail, opened at close) and an auction that closed without a single bid."""
from io import BytesIO

from pypdf import PdfReader

from tests.engine.helpers import items, quote, reverse_auction, sealed_auction
from tests.factories import move_deadline_into_past

from .helpers import ok


def read_all(api, login, rfq: int) -> tuple[dict, str]:
    body = ok(api("compliance").get(f"/api/v1/rfqs/{rfq}/fairness-report/"))
    pdf = api("compliance").get(f"/api/v1/rfqs/{rfq}/fairness-report/?format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert login("buyer").get(f"/rfqs/{rfq}/fairness-report/").status_code == 200
    return body, text


def close(api, rfq: int) -> None:
    move_deadline_into_past(rfq)
    ok(api("buyer").post(f"/api/v1/rfqs/{rfq}/close/", {}, format="json"))


def test_a_sealed_bid_report_counts_each_suppliers_latest_version(api, login, demo):
    rfq = sealed_auction(demo, allow_multiple_submissions=True)
    first, second = items(rfq)
    ok(quote(api, "supplier1", rfq, {first: "100.00", second: "50.00"}), 201)  # 40×100 + 20×50 = 5000
    ok(quote(api, "supplier1", rfq, {first: "90.00", second: "50.00"}), 201)  # revised: 4600
    ok(quote(api, "supplier2", rfq, {first: "95.00", second: "40.00"}), 201)  # 4600
    close(api, rfq)
    body, text = read_all(api, login, rfq)
    dist = body["price_distribution"]
    assert dist["count"] == 2 and dist["amounts"] == ["4600.00", "4600.00"] and dist["std_dev"] == "0.00"
    assert body["summary"]["bids"] == {"placed": 3, "accepted": 2, "superseded": 1, "withdrawn": 0,
                                       "refused_attempts": 0}
    assert "(sealed)" in " ".join(e["detail"] for e in body["timeline"] if e["type"] == "bid.placed")
    assert body["outcome"]["tie_break"]["applied"] is True
    assert "4600.00" in text and "Sealed quotes opened" in text


def test_an_auction_without_bids_reports_empty_figures(api, login, demo):
    rfq = reverse_auction(demo)
    close(api, rfq)
    body, text = read_all(api, login, rfq)
    assert body["price_distribution"]["count"] == 0 and body["price_distribution"]["median"] is None
    assert body["outcome"]["winner"] is None and body["outcome"]["evaluation_outcome"] == "NO_AWARD"
    assert body["summary"]["bids"]["placed"] == 0
    assert "Bidding closed" in text
