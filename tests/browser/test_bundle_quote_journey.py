"""A bundle quote in a real browser (product.md §7 "Bundle bids"): a supplier opens the
COMBINATORIAL RFQ, reveals a fourth row with "Add a bundle", ticks lines into two bundles,
submits, and reads its sealed bundles back; also the form at phone width (390 px)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from auctions.models import Bid
from auctions.selectors import own_quote
from rfqs.models import RFQ
from tests.factories import published_rfq

from .test_journey import sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_supplier_submits_two_bundles_on_its_page(live_server, page, screenshot, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1, 2), reserve_price={"enabled": False},
                           auction={"type": "COMBINATORIAL", "settings": {"max_bundles_per_quote": 4}})
    rice, flour = RFQ.objects.get(pk=rfq_id).line_items.values_list("pk", flat=True)
    base = live_server.url
    sign_in(page, base, "supplier1")
    page.goto(f"{base}/supplier/rfqs/{rfq_id}/")
    rows = page.locator("[data-bundle-row]")
    expect(rows.nth(2)).to_be_visible()
    expect(rows.nth(3)).to_be_hidden()
    page.get_by_role("button", name="+ Add a bundle").click()
    expect(rows.nth(3)).to_be_visible()
    expect(page.get_by_role("button", name="+ Add a bundle")).to_be_hidden()  # all 4 rows shown

    first, second = rows.nth(0), rows.nth(1)
    first.locator(f"input[value='{rice}']").check()
    first.locator(f"input[value='{flour}']").check()
    first.locator("input[data-bundle-price]").fill("75.00")
    second.locator(f"input[value='{rice}']").check()
    second.locator("input[data-bundle-price]").fill("40.00")
    page.get_by_label("Terms").fill("30 days net")
    screenshot("45-supplier-bundle-form")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("46-supplier-bundle-form-390")
    page.set_viewport_size({"width": 1360, "height": 900})

    page.get_by_role("button", name="Submit sealed bundles").click()
    expect(page.locator(".flash--success")).to_contain_text("Bundle quote version 1 received: 2 bundles")
    current = page.get_by_test_id("current-bundles")
    expect(current.locator("tr[data-bundle]")).to_have_count(2)
    expect(current).to_contain_text("USD 75.00")
    expect(current).to_contain_text("USD 40.00")
    history = page.get_by_test_id("bid-history")
    expect(history.locator("th").filter(has_text="Dearest bundle")).to_have_count(1)  # not a sum of bundles
    expect(history).to_contain_text("75.00")
    screenshot("47-supplier-bundles-submitted")
    quote = own_quote(Bid.objects.get(rfq_id=rfq_id))
    assert quote["bundles"] == [{"line_item_ids": sorted([rice, flour]), "price": Decimal("75.00")},
                                {"line_item_ids": [rice], "price": Decimal("40.00")}]
