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


def test_web_and_pdf_progression_charts_draw_the_same_line_after_a_withdrawal(api, demo):
    from reportlab.graphics.charts.lineplots import LinePlot

    from auctions.models import Bid
    from oversight.reports.pdf_charts import progression_drawing
    from procurement.views.charts import progression_chart
    from tests.engine.helpers import bid, created, reverse_auction, withdraw

    from .helpers import close_and_evaluate

    rfq = reverse_auction(demo)
    created(bid(api, "supplier1", rfq, "9500.00"))
    leader = created(bid(api, "supplier2", rfq, "9300.00"))
    ok(withdraw(api, "supplier2", rfq, leader["id"]))
    created(bid(api, "supplier3", rfq, "9400.00"))
    close_and_evaluate(api, rfq)
    rows = list(Bid.objects.filter(rfq_id=rfq).select_related("supplier"))
    start = min(b.submitted_at for b in rows)
    when = {b.amount: (b.submitted_at - start).total_seconds() for b in rows}
    withdrawn = next((b.withdrawn_at - start).total_seconds() for b in rows if b.withdrawn_at)
    # The withdrawn 9 300 leads until its withdrawal, then the best falls back to 9 500, then 9 400.
    expected = [(0.0, 9500.0), (when[9300], 9500.0), (when[9300], 9300.0), (withdrawn, 9300.0),
                (withdrawn, 9500.0), (when[9400], 9500.0), (when[9400], 9400.0),
                (max(when[9400], 1.0), 9400.0)]  # drawn to the axis's end (at least a second)

    web = progression_chart(rows)
    assert [[((t - start).total_seconds(), float(p)) for t, p in line] for line in web.leading] == [expected]

    report = ok(api("buyer").get(f"/api/v1/rfqs/{rfq}/fairness-report/"))
    [plot] = [shape for shape in progression_drawing(report).contents if isinstance(shape, LinePlot)]
    pdf_lines = [[(round(t, 6), p) for t, p in line] for line in plot.data[1:]]
    assert pdf_lines == [[(round(t, 6), p) for t, p in expected]]
