"""Small things seen in review (issue 15, part 7) in the fairness report: a timeline without a
gap in its numbers, and a PDF that speaks labels rather than codes."""
from io import BytesIO

from pypdf import PdfReader

from .helpers import eventful_auction, ok


def _pdf_text(api, rfq: int) -> str:
    pdf = api("buyer").get(f"/api/v1/rfqs/{rfq}/fairness-report/?format=pdf")
    assert pdf.status_code == 200
    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages).split())


def test_the_timeline_numbers_run_without_a_gap_across_report_versions(api, demo, login):
    rfq = eventful_auction(api, demo)["rfq"]
    url = f"/api/v1/rfqs/{rfq}/fairness-report/"
    first = ok(api("buyer").get(url))
    # A new fact after the first version: the stream now holds that version's own event in the middle.
    ok(api("compliance").post(url + "certify/", {"recommendation": "approve"}, format="json"))
    second = ok(api("buyer").get(url))
    assert second["version"] == first["version"] + 1
    seqs = [row["seq"] for row in second["timeline"]]
    assert seqs == list(range(1, second["basis"]["last_event_seq"] + 1))
    generated = [row for row in second["timeline"] if row["type"] == "fairness.report_generated"]
    assert [row["label"] for row in generated] == ["Fairness report generated"]
    assert generated[0]["detail"].startswith(f"version {first['version']}, content hash {first['content_hash'][:12]}")
    assert ok(api("buyer").get(url))["version"] == second["version"]  # listing it changes nothing: stable

    note = f"up to #{second['basis']['last_event_seq']}, the last fact this report was built from"
    page = login("buyer").get(f"/rfqs/{rfq}/fairness-report/").content.decode()
    assert 'data-testid="timeline-note"' in page and note in page
    assert note in _pdf_text(api, rfq)


def test_the_pdf_shows_labels_not_codes(api, demo):
    rfq = eventful_auction(api, demo)["rfq"]
    text = _pdf_text(api, rfq)
    assert "Auction type Reverse auction" in text and "REVERSE_AUCTION" not in text
    # The refused bid broke minimum_decrement: named as a person reads it, in the timeline and the table.
    assert "Beats the best bid by the minimum decrement" in text
    for code in ("minimum_decrement", "starting_price_ceiling", "supplier_kyc_valid", "amount_format"):
        assert code not in text, code
    assert "Rules applied" in text and "Currency matches the RFQ" in text
