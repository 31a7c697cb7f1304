"""The RFQ page's "Bidding" choice in a real browser: line by line hides the auction-wide
starting price and shows each line's; the draft keeps both the basis and the line prices."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from rfqs.models import RFQ

from .test_journey import sign_in

TITLE = "Lots for MV Editor Star"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_buyer_sets_line_by_line_bidding_with_line_starting_prices(live_server, page):
    call_command("seed_demo", verbosity=0)
    deadline = timezone.now() + timedelta(days=3)
    sign_in(page, live_server.url, "buyer")
    page.get_by_role("link", name="+ New RFQ").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Category").select_option("provisions")
    page.get_by_label("Delivery port").select_option("GRPIR")
    page.get_by_label("Delivery date").fill((deadline + timedelta(days=10)).date().isoformat())
    page.get_by_label("Bidding deadline (UTC)").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Commodity purchase").check()
    auction_start = page.get_by_label("Starting price (ceiling)")
    rows = page.locator("[data-formset=items] tr[data-row]:not(.is-removed)")
    expect(auction_start).to_be_visible()
    expect(rows.nth(0).get_by_label("Line starting price")).to_be_hidden()  # total bidding: no line prices

    page.get_by_label("Bid line by line (lots)").check()
    expect(auction_start).to_be_hidden()
    expect(auction_start).to_be_disabled()
    rows.nth(0).get_by_label("Line item description").fill("Rice, long grain, 25 kg bag")
    rows.nth(0).get_by_label("Line item quantity").fill("40")
    rows.nth(0).get_by_label("Line item unit").fill("bag")
    rows.nth(0).get_by_label("Line starting price").fill("9000")
    page.get_by_role("button", name="+ Add line item").click()
    expect(rows).to_have_count(2)
    rows.nth(1).get_by_label("Line item description").fill("Cooking oil, 20 l can")
    rows.nth(1).get_by_label("Line item quantity").fill("12")
    rows.nth(1).get_by_label("Line item unit").fill("can")
    rows.nth(1).get_by_label("Line starting price").fill("1500")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_test_id("rfq-status")).to_have_text("Draft")

    rfq = RFQ.objects.get(title=TITLE)
    assert rfq.auction_settings["bidding_basis"] == "PER_LINE" and rfq.auction_settings["starting_price"] is None
    assert [li.starting_price for li in rfq.line_items.all()] == [Decimal("9000"), Decimal("1500")]

    # Back to one bid for all: the line prices are hidden and not sent.
    page.goto(live_server.url + reverse("buyer-rfq-edit", args=[rfq.pk]))
    expect(rows.nth(1).get_by_label("Line starting price")).to_have_value("1500.00")
    page.get_by_label("One bid for all lines (total)").check()
    expect(rows.nth(1).get_by_label("Line starting price")).to_be_hidden()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("rfq-status")).to_have_text("Draft")
    rfq.refresh_from_db()
    assert rfq.auction_settings["bidding_basis"] == "TOTAL"
    assert [li.starting_price for li in rfq.line_items.all()] == [None, None]
