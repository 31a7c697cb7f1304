"""Finding things in a real browser: the buyer's filter bar and the supplier's inbox filters,
at desktop and phone width (390 px): the form's GET address carries only the filters set, and
at 390 px the page does not scroll sideways (only a table may, inside its card)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.factories import published_rfq

from .test_journey import sign_in

PAGE_WIDTH = "document.documentElement.scrollWidth"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_buyer_filters_the_rfq_list_and_the_supplier_its_invitations(live_server, page, screenshot, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), title="Findable rope for MV Test")
    base = live_server.url
    sign_in(page, base, "buyer")
    page.goto(f"{base}/rfqs/")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(PAGE_WIDTH) <= 390
    page.get_by_label("Search", exact=True).fill("findable")
    page.get_by_label("Status", exact=True).select_option("open")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("tr[data-rfq]")).to_have_count(1)
    expect(page.locator(f"tr[data-rfq='{rfq_id}']")).to_be_visible()
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"search": ["findable"], "status": ["open"], "ordering": ["-created_at"]}  # no blank fields
    assert page.evaluate(PAGE_WIDTH) <= 390
    screenshot("80-buyer-rfq-list-filtered-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot("81-buyer-rfq-list-filtered")
    page.get_by_role("link", name="Clear").click()
    expect(page.locator("tr[data-rfq]")).not_to_have_count(1)

    page.context.clear_cookies()
    sign_in(page, base, "supplier1")
    page.goto(f"{base}/supplier/invitations/?search=rope")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("tr[data-invitation]")).to_have_count(1)
    assert page.evaluate(PAGE_WIDTH) <= 390
    screenshot("82-supplier-invitations-filtered-390")
