"""A split award in a real browser (product.md §7): the buyer sets the RFQ to split its award
with VCG payments in the editor, three suppliers quote partial quantities on their pages,
the buyer sees the allocation and the saving against the best single supplier, awards it in
one click, and each supplier reads its outcome. Also the evaluation page at phone width."""
from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from rfqs.models import RFQ
from tests.factories import move_deadline_into_past, rfq_payload

from .test_journey import sign_in, sign_out

LINES = [{"description": "Rice, long grain, 25 kg bag", "quantity": "40", "unit": "bag", "impa_code": "000101"},
         {"description": "Flour, wheat, 10 kg bag", "quantity": "20", "unit": "bag"}]
# (rice price, at least, at most), (flour price, at least, at most) — the hand-worked example
# of tests/engine/test_split_awards.py: 560.00 in all, 660.00 from supplier3 alone, VCG 620.00.
QUOTES = {1: (("10.00", "10", "30"), ("8.00", "", "")),
          2: (("11.00", "", ""), ("7.00", "10", "10")),
          3: (("12.00", "", ""), ("9.00", "", ""))}


def quote_on_page(page, base: str, rfq_id: int, supplier: int, screenshot=None) -> None:
    sign_in(page, base, f"supplier{supplier}")
    page.goto(f"{base}/supplier/rfqs/{rfq_id}/")
    rows = page.locator("[data-quote-line]")
    for index, (price, least, most) in enumerate(QUOTES[supplier]):
        row = rows.nth(index)
        row.locator("input[data-price]").fill(price)
        row.locator("input[name^=minq_]").fill(least)
        row.locator("input[name^=maxq_]").fill(most)
    if screenshot:
        screenshot("40-supplier-split-quote-form")
    page.get_by_role("button", name="Submit sealed quote").click()
    expect(page.locator(".flash--success")).to_contain_text("Quote version 1 received")
    sign_out(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_split_award_from_settings_to_every_outcome(live_server, page, screenshot, demo):
    base = live_server.url
    created = demo.client("buyer").post("/api/v1/rfqs/", rfq_payload(
        title="Provisions for MV Blue Horizon — split by line", line_items=LINES, reserve_price={"enabled": False},
        auction={"type": "SEALED_BID", "settings": {}}), format="json")
    rfq_id = created.json()["id"]

    sign_in(page, base, "buyer")
    buyer_makes_it_a_split_award(page, base, rfq_id, screenshot)
    sign_out(page)
    invite_publish_and_accept(demo, rfq_id)

    # Three suppliers quote partial quantities on their pages.
    for n in (1, 2, 3):
        quote_on_page(page, base, rfq_id, n, screenshot if n == 1 else None)

    move_deadline_into_past(rfq_id)
    assert demo.client("buyer").post(f"/api/v1/rfqs/{rfq_id}/close/", {}, format="json").status_code == 200
    sign_in(page, base, "buyer")
    buyer_awards_the_allocation(page, base, rfq_id, screenshot)
    sign_out(page)
    suppliers_read_their_outcomes(page, base, rfq_id, screenshot)


def buyer_makes_it_a_split_award(page, base, rfq_id: int, screenshot) -> None:
    """The buyer makes it a split award with VCG payments in the RFQ editor."""
    page.goto(f"{base}/rfqs/{rfq_id}/edit/")
    page.get_by_label("Award", exact=True).select_option("SPLIT")
    page.get_by_label("Pricing", exact=True).select_option("VCG")
    page.get_by_label("Suppliers per line (at most)").fill("2")
    screenshot("39-buyer-split-award-settings")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".flash--success")).to_be_visible()
    settings = RFQ.objects.get(pk=rfq_id).auction_settings
    assert (settings["award_mode"], settings["pricing"], settings["max_suppliers_per_line"]) == ("SPLIT", "VCG", 2)


def invite_publish_and_accept(demo, rfq_id: int) -> None:
    """Over the API: supplier1–3 invited, the RFQ published, every invitation accepted."""
    client = demo.client("buyer")
    ids = [demo.supplier(n).pk for n in (1, 2, 3)]
    assert client.post(f"/api/v1/rfqs/{rfq_id}/invitations/", {"supplier_ids": ids}, format="json").status_code == 201
    assert client.post(f"/api/v1/rfqs/{rfq_id}/publish/", {}, format="json").status_code == 200
    for n in (1, 2, 3):
        invitation = demo.supplier(n).invitations.get(rfq_id=rfq_id)
        assert demo.client(f"supplier{n}").post(f"/api/v1/invitations/{invitation.pk}/accept/").status_code == 200


def buyer_downloads_the_comparison(page, rfq_id: int) -> None:
    """The "Download XLSX" button gives the comparison workbook, with the allocation's total."""
    with page.expect_download() as caught:
        page.get_by_test_id("comparison-xlsx").click()
    download = caught.value
    assert download.suggested_filename == f"RFQ-{rfq_id:06d}-comparison.xlsx"
    workbook = load_workbook(BytesIO(Path(download.path()).read_bytes()))  # the saved file has no extension
    rows = list(workbook.active.iter_rows(values_only=True))
    assert Decimal(str(next(row for row in rows if row[0] == "Total cost")[5])) == Decimal("560.00")


def buyer_awards_the_allocation(page, base, rfq_id: int, screenshot) -> None:
    """After the close the buyer sees the allocation, the saving and the payments, and awards."""
    page.goto(f"{base}/rfqs/{rfq_id}/evaluation/")
    page.get_by_role("button", name="Start evaluation").click()
    expect(page.get_by_test_id("allocation-total")).to_contain_text("USD 560.00")
    expect(page.get_by_test_id("allocation-saving")).to_have_text("USD 100.00")
    expect(page.get_by_test_id("allocation-row")).to_have_count(4)
    expect(page.get_by_test_id("payments")).to_contain_text("USD 620.00")
    screenshot("41-buyer-split-allocation")
    buyer_downloads_the_comparison(page, rfq_id)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    table = page.get_by_test_id("allocation").locator(".table-scroll")
    expect(table).to_be_visible()
    # At phone width the table scrolls inside its card; the page itself does not.
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    screenshot("42-buyer-split-allocation-390px")
    page.set_viewport_size({"width": 1360, "height": 900})
    page.get_by_test_id("award-allocation").click()
    expect(page.get_by_test_id("rfq-status")).to_have_text("Awarded")
    expect(page.locator(".decision__kicker")).to_have_text("Awarded allocation")
    screenshot("43-buyer-split-awarded")


def suppliers_read_their_outcomes(page, base, rfq_id: int, screenshot) -> None:
    """Each supplier reads its outcome: its lines, quantities, prices and payment — or not selected."""
    expected = {1: ("Won", "USD 420.00"), 2: ("Won", "USD 200.00"), 3: ("Not selected", None)}
    for n, (status, payment) in expected.items():
        sign_in(page, base, f"supplier{n}")
        page.goto(f"{base}/supplier/rfqs/{rfq_id}/")
        expect(page.get_by_test_id("outcome-status")).to_have_text(status)
        if payment:
            expect(page.get_by_test_id("outcome-payment")).to_have_text(payment)
            expect(page.get_by_test_id("outcome-lines").locator("tbody tr")).to_have_count(2)
        screenshot(f"44-supplier{n}-split-outcome")
        sign_out(page)
