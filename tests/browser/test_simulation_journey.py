"""What-if simulation in a real browser: the buyer opens a draft RFQ, runs phantom bidders
through the formats and sees the table and the price-distribution chart (desktop and 390 px)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.api.helpers import create_draft

from .test_journey import sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_buyer_simulates_a_draft_and_sees_the_chart(live_server, page, screenshot, demo):
    base = live_server.url
    rfq_id = create_draft(demo, title="Lube oil for MV Blue Dolphin",
                          reserve_price={"enabled": True, "amount": "12500.00", "visibility": "hidden",
                                         "auto_accept_if_met": False, "notify_buyer_if_not_met": True})
    sign_in(page, base, "buyer")
    page.goto(f"{base}/rfqs/{rfq_id}/")
    page.get_by_test_id("simulation-link").click()
    expect(page.get_by_label("Baseline total")).to_have_value("12500")  # the reserve by default
    page.get_by_label("Baseline total").fill("12000.00")
    page.get_by_label("Runs").fill("600")
    page.get_by_label("Seed").fill("42")
    page.get_by_test_id("run-simulation").click()

    expect(page.get_by_test_id("simulation-chart")).to_be_visible()
    expect(page.get_by_test_id("simulation-chart-row")).to_have_count(3)
    table = page.get_by_test_id("simulation-table")
    expect(table).to_contain_text("Sealed bid · first price")
    expect(table).to_contain_text("Reverse auction · pay as bid")
    expect(page.get_by_test_id("simulation-seed")).to_have_text("42")
    expect(page.get_by_test_id("past-simulations")).to_contain_text("600")
    screenshot("simulation-01-desktop")

    page.set_viewport_size({"width": 390, "height": 844})
    chart = page.get_by_test_id("simulation-chart")
    box = chart.bounding_box()
    assert box and box["width"] <= 390  # scales down with the page, no sideways scroll
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("simulation-02-phone")
