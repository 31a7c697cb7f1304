"""The fairness report's figures equal what the stored auction independently gives, in the JSON
and in the PDF (product.md §5)."""
import statistics
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from audit.models import AuditEvent, FairnessReport

from .helpers import eventful_auction, ok

CENT = Decimal("0.01")


@pytest.fixture
def auction(api, demo):
    return eventful_auction(api, demo)


def expected_figures(standing: dict) -> dict:
    amounts = sorted(Decimal(a) for a in standing.values())
    q1, _, q3 = statistics.quantiles(amounts, n=4, method="inclusive")
    low, high = q1 - Decimal("1.5") * (q3 - q1), q3 + Decimal("1.5") * (q3 - q1)
    return {"count": len(amounts), "min": str(min(amounts)), "max": str(max(amounts)),
            "median": str(statistics.median(amounts).quantize(CENT)),
            "mean": str((sum(amounts) / len(amounts)).quantize(CENT)),
            "std_dev": str(statistics.pstdev(amounts).quantize(CENT)),
            "outliers": sorted(str(a) for a in amounts if a < low or a > high)}


def test_report_json_figures_match_the_auction(api, auction):
    body = ok(api("buyer").get(f"/api/v1/rfqs/{auction['rfq']}/fairness-report/"))
    summary, dist, outcome = body["summary"], body["price_distribution"], body["outcome"]
    bids = auction["bids"]

    assert summary["participants"]["invited"] == 4 and summary["participants"]["accepted"] == 4
    assert summary["participants"]["bidding"] == 4
    assert summary["bids"]["placed"] == len(bids)  # six accepted, one of them later withdrawn
    assert summary["bids"]["withdrawn"] == 1 and summary["withdrawals"] == 1
    assert summary["bids"]["refused_attempts"] == 1
    assert summary["extensions"]["count"] == 1 and summary["extensions"]["events"] == 1
    assert summary["extensions"]["original_deadline"] != summary["extensions"]["final_deadline"]

    expected = expected_figures(auction["standing"])
    assert dist["count"] == expected["count"] == 4
    assert dist["std_dev_kind"] == "population" and dist["basis"] == "standing_quotes"
    for key in ("min", "max", "median", "mean", "std_dev"):
        assert dist[key] == expected[key], (key, dist[key], expected[key])
    assert sorted(o["amount"] for o in dist["outliers"]) == expected["outliers"] == ["9900.00"]
    assert dist["outliers"][0]["supplier"] == "Poseidon Marine Supply" and dist["outliers"][0]["side"] == "high"
    assert sorted(dist["counted_bid_ids"]) == sorted(bids[k]["id"] for k in ("s1", "s2", "s3", "s4"))

    assert outcome["winner"]["name"] == "Baltic Ship Stores" and outcome["amount"] == "4900.00"
    assert outcome["rank"] == 2 and outcome["manual_override"] is True
    assert outcome["override_reason"] == "Supplier 4 cannot deliver before sailing."
    assert outcome["recommended"]["bid_id"] == bids["s4"]["id"]
    assert outcome["reserve"] == {"enabled": True, "amount": "4850.00", "met": True, "status": "met",
                                  "gap": "-50.00"}
    assert outcome["tie_break"]["applied"] is False

    types = [e["type"] for e in body["timeline"]]
    for kind in ("rfq.publish", "rfq.open", "bid.placed", "deadline.extended", "bid.withdrawn",
                 "bid.place_rejected", "rfq.close", "rfq.evaluate", "rfq.award"):
        assert kind in types, kind
    assert types.index("rfq.open") < types.index("deadline.extended") < types.index("rfq.close") < types.index(
        "rfq.award")
    assert [e["seq"] for e in body["timeline"]] == sorted(e["seq"] for e in body["timeline"])
    compliance = body["compliance"]
    assert {"minimum_decrement", "within_bidding_window", "bid_withdrawal_limit"} <= {
        r["id"] for r in compliance["rules_applied"]}
    assert any(v["rule"] == "minimum_decrement" and v["blocked"] for v in compliance["violations"]["items"])
    assert any("manual override" in a["action"] for a in compliance["actions_taken"])
    assert body["certification"]["latest"] is None


def test_generation_is_versioned_hashed_and_audited(api, auction):
    rfq = auction["rfq"]
    first = ok(api("compliance").get(f"/api/v1/rfqs/{rfq}/fairness-report/"))
    again = ok(api("buyer").get(f"/api/v1/rfqs/{rfq}/fairness-report/"))
    assert (again["version"], again["content_hash"]) == (first["version"], first["content_hash"])  # no new facts
    ok(api("compliance").post(f"/api/v1/rfqs/{rfq}/fairness-report/certify/",
                              {"recommendation": "approve", "findings": ["Override reason is sound."]}, format="json"))
    after = ok(api("buyer").get(f"/api/v1/rfqs/{rfq}/fairness-report/"))
    assert after["version"] == first["version"] + 1 and after["content_hash"] != first["content_hash"]
    assert after["certification"]["latest"]["recommendation"] == "approve"
    assert after["certification"]["latest"]["findings"] == ["Override reason is sound."]
    assert after["certification"]["latest"]["officer"] == "compliance"
    stored = FairnessReport.objects.get(rfq_id=rfq)
    events = AuditEvent.objects.filter(rfq_id=rfq, type="fairness.report_generated").order_by("seq")
    assert [(e.payload["version"], e.payload["content_hash"]) for e in events][-1] == (
        stored.version, stored.content_hash)
    assert AuditEvent.objects.filter(rfq_id=rfq, type="fairness.certified").get().payload["recommendation"] == "approve"


def test_pdf_opens_and_carries_the_figures(api, auction):
    response = api("buyer").get(f"/api/v1/rfqs/{auction['rfq']}/fairness-report/?format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    expected = expected_figures(auction["standing"])
    for figure in (expected["min"], expected["max"], expected["median"], expected["mean"], expected["std_dev"],
                   "Baltic Ship Stores", "4850.00", "Supplier 4 cannot deliver before sailing.",
                   "Deadline extended", "Bid withdrawn", "population"):
        assert figure in text, figure
    assert "Outliers Poseidon Marine Supply 9900.00 (high)" in " ".join(text.split())
    body = ok(api("buyer").get(f"/api/v1/rfqs/{auction['rfq']}/fairness-report/"))
    assert body["content_hash"] in text.replace("\n", "")
