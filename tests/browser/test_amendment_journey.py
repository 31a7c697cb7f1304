"""An amendment in real Chromium (issue 14): the buyer moves the deadline of an open reverse
auction two days later from the RFQ page; the supplier's page, open all along, shows the new
countdown and the amendment banner without reloading, refuses a bid until the supplier
acknowledges, then takes it."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from rfqs.models import RFQ
from tests.engine.helpers import reverse_auction, set_deadline

from .conftest import SCREENSHOTS
from .test_live_journey import LIVE, open_as, same_document

REASON = "The vessel's arrival moved: two more days to quote."


@pytest.mark.browser
def test_buyer_amends_the_deadline_and_the_supplier_page_follows(asgi_server, chromium, demo):
    base = asgi_server
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    set_deadline(rfq, 600)
    supplier = open_as(chromium, base, "supplier1", f"/supplier/rfqs/{rfq}/")
    expect(supplier.get_by_test_id("connection")).to_have_attribute("data-connection", "websocket")
    countdown = supplier.get_by_test_id("countdown").first
    expect(countdown).to_have_text(re.compile(r"^\d\d:\d\d$"))  # ten minutes left
    expect(supplier.get_by_test_id("amendment-banner")).to_be_hidden()

    buyer = open_as(chromium, base, "buyer", f"/rfqs/{rfq}/")
    later = (RFQ.objects.get(pk=rfq).bidding_deadline + timedelta(days=2)).replace(second=0, microsecond=0)
    form = buyer.get_by_test_id("amend-form")
    buyer.get_by_test_id("amendments").locator("summary").click()
    form.get_by_label(re.compile("Reason")).fill(REASON)
    form.get_by_label(re.compile("New bidding deadline")).fill(later.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_role("button", name="Publish amendment").click()
    expect(buyer.locator(".flash--success")).to_contain_text("Amendment 1 was published")
    expect(buyer.get_by_test_id("amendment")).to_contain_text(REASON)
    assert RFQ.objects.get(pk=rfq).bidding_deadline == later

    # The supplier's page, never reloaded: new countdown, deadline, notice and banner.
    expect(countdown).to_have_text(re.compile(r"^2 d "), timeout=LIVE)
    expect(supplier.get_by_test_id("live-notice")).to_contain_text("Amendment 1", timeout=LIVE)
    banner = supplier.get_by_test_id("amendment-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(REASON)
    expect(supplier.locator("[data-live-deadline]").first).to_contain_text(later.strftime("%H:%M"))
    assert same_document(supplier)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    supplier.screenshot(path=str(SCREENSHOTS / "53-supplier-amendment-banner.png"), full_page=True)

    # A bid before acknowledging is refused with the rule's words; after, it is taken.
    supplier.get_by_label(re.compile("Your bid")).fill("9000.00")
    supplier.get_by_role("button", name="Bid", exact=True).click()
    expect(supplier.locator("body")).to_contain_text("acknowledge amendment 1")
    supplier.get_by_test_id("amendment-banner").get_by_role("button", name="Acknowledge amendment 1").click()
    expect(supplier.locator(".flash--success")).to_contain_text("You acknowledged amendment 1")
    expect(supplier.get_by_test_id("amendment-banner")).to_be_hidden()
    supplier.get_by_label(re.compile("Your bid")).fill("9000.00")
    supplier.get_by_role("button", name="Bid", exact=True).click()
    expect(supplier.get_by_test_id("leading-bid")).to_have_text("USD 9,000.00")
    buyer.screenshot(path=str(SCREENSHOTS / "54-buyer-amendments.png"), full_page=True)
    for page in (supplier, buyer):
        page.context.close()
