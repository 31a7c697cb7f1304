"""The "Files with quotes" panel on the buyer's RFQ page: nothing before the close (the files
are sealed with the quotes); after it each supplier's files, with links to the download view,
which lets the buyer's side through and keeps every other supplier out (404)."""
from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from auctions.models import QuoteAttachment
from tests.engine.helpers import created, items, quote, sealed_auction, transition
from tests.factories import move_deadline_into_past

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FILES = {1: ("Mill certificate", "mill-cert-poseidon.pdf"), 2: ("Price list", "prices-2026.txt")}
CONTENT = {1: PDF, 2: b"Rice 10.00\nFlour 8.00\n"}


def attach(api, n: int, rfq_id: int, bid_id: int) -> QuoteAttachment:
    title, name = FILES[n]
    body = created(api(f"supplier{n}").post(f"/api/v1/rfqs/{rfq_id}/bids/{bid_id}/attachments/", {
        "title": title, "file": SimpleUploadedFile(name, CONTENT[n])}, format="multipart"))
    return QuoteAttachment.objects.get(pk=body["id"])


def test_quote_files_are_listed_on_the_buyers_page_only_after_the_close(demo, api, login):
    rfq_id = sealed_auction(demo)
    files = {}
    for n in (1, 2):
        bid_id = created(quote(api, f"supplier{n}", rfq_id, dict.fromkeys(items(rfq_id), "10.00")))["id"]
        files[n] = attach(api, n, rfq_id, bid_id)
    links = {n: f"/api/v1/rfqs/{rfq_id}/bids/{f.bid_id}/attachments/{f.pk}/" for n, f in files.items()}
    detail = reverse("buyer-rfq-detail", args=[rfq_id])

    before = login("buyer").get(detail).content.decode()
    assert 'data-testid="quote-files"' not in before and "Files with quotes" not in before
    for title, name in FILES.values():
        assert title not in before and name not in before
    assert login("buyer").get(links[1]).status_code == 404

    move_deadline_into_past(rfq_id)
    assert transition(api, "buyer", rfq_id, "close").status_code == 200
    for user in ("buyer", "compliance"):
        page = login(user).get(detail).content.decode()
        panel = page.split('data-testid="quote-files"')[1].split("</section>")[0]
        assert panel.count('data-testid="quote-file"') == 2, user
        for n, (title, name) in FILES.items():
            assert title in panel and name in panel and links[n] in panel
            assert demo.supplier(n).name in panel
        assert "application/pdf" in panel and f"{len(PDF)}\xa0bytes" in panel
        for n, link in links.items():
            download = login(user).get(link)
            assert download.status_code == 200, (user, download.content[:300])
            assert download.content == CONTENT[n]
            assert download["Content-Disposition"].startswith("attachment")
    # Another company's supplier cannot download a file with somebody else's quote.
    assert login("supplier2").get(links[1]).status_code == 404
    assert login("supplier1").get(links[2]).status_code == 404
    assert login("supplier3").get(links[1]).status_code == 404
    # Nor does a buyer of another organisation see the page or the file.
    assert login("buyer2").get(detail).status_code == 404
    assert login("buyer2").get(links[1]).status_code == 404


def test_after_the_close_with_no_files_the_panel_says_so(demo, api, login):
    rfq_id = sealed_auction(demo)
    created(quote(api, "supplier1", rfq_id, dict.fromkeys(items(rfq_id), "10.00")))
    move_deadline_into_past(rfq_id)
    assert transition(api, "buyer", rfq_id, "close").status_code == 200
    page = login("buyer").get(reverse("buyer-rfq-detail", args=[rfq_id])).content.decode()
    assert "No supplier attached files to its quote." in page
