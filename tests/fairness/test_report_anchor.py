"""The fairness report carries the checkpoint of its auction (product.md §6 "Anchoring"): the
signed head, kept outside the database, that seals every event the report was built from —
in the JSON, the PDF and the page."""
from io import BytesIO

from pypdf import PdfReader

from audit.anchoring.services import checkpoint_seal
from audit.models import rfq_stream
from oversight.reports.builder import ANCHOR_FIELDS

from .helpers import eventful_auction, ok


def test_the_report_shows_its_checkpoint_in_json_pdf_and_page(api, demo, login):
    rfq = eventful_auction(api, demo)["rfq"]
    url = f"/api/v1/rfqs/{rfq}/fairness-report/"
    before = ok(api("buyer").get(url))
    assert before["anchor"] is None  # nothing sealed yet: the test's transaction never commits

    document = checkpoint_seal(stream=rfq_stream(rfq))
    body = ok(api("buyer").get(url))
    assert body["version"] == before["version"] + 1  # sealed since: regenerated once to carry it
    assert body["anchor"] == {name: document[name] for name in ANCHOR_FIELDS}
    assert body["anchor"]["seq"] >= body["basis"]["last_event_seq"]
    assert ok(api("buyer").get(url))["version"] == body["version"]  # and then stable

    pdf = api("buyer").get(url + "?format=pdf")
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert f"seq {document['seq']}, sealed" in text and document["key_fingerprint"] in text
    assert document["head_hash"][:16] in text

    page = login("buyer").get(f"/rfqs/{rfq}/fairness-report/").content.decode()
    assert f'data-testid="checkpoint-seq">{document["seq"]}<' in page
    assert document["head_hash"] in page and document["key_fingerprint"] in page
