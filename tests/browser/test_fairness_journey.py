"""The fairness audit in a real browser: a high-value auction's award is blocked; the compliance
officer opens its report from the admin, sees the bid-progression and price-distribution
charts, certifies `approve`; the buyer can then award on the evaluation page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from oversight.reports.tasks import generate_fairness_report
from rfqs.models import RFQ
from tests.factories import move_deadline_into_past, published_rfq

from .test_journey import sign_in

TITLE = "Main engine overhaul kit — MV Blue Dolphin"


def high_value_auction(demo) -> int:
    """A reverse auction closed and in evaluation with totals above the 100 000 threshold."""
    rfq = published_rfq(demo, suppliers=(1, 2, 3), accept=(1, 2, 3), title=TITLE, reserve_price={"enabled": False},
                        auction={"type": "REVERSE_AUCTION", "settings": {
                            "starting_price": "250000.00", "minimum_decrement": "500.00", "decrement_type": "AMOUNT",
                            "rate_limit_bids_per_minute": 60}})
    for supplier, amount in ((1, "182000.00"), (2, "176500.00"), (3, "171000.00"), (1, "168000.00")):
        response = demo.client(f"supplier{supplier}").post(f"/api/v1/rfqs/{rfq}/bids/", {"amount": amount},
                                                           format="json")
        assert response.status_code == 201, response.content
    move_deadline_into_past(rfq)
    buyer = demo.client("buyer")
    for step in ("close", "evaluate"):
        assert buyer.post(f"/api/v1/rfqs/{rfq}/{step}/", {}, format="json").status_code == 200
    # The report job queued at close: in-process on the embedded default; with a broker (CI on
    # Redis) no worker runs here, so the test does the worker's part.
    generate_fairness_report(rfq)
    return rfq


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_compliance_certifies_from_the_admin_then_the_buyer_awards(live_server, page, screenshot, demo):
    base = live_server.url
    rfq_id = high_value_auction(demo)
    reference = RFQ.objects.get(pk=rfq_id).reference

    # The buyer cannot award yet: the button is disabled and says why.
    sign_in(page, base, "buyer")
    page.goto(f"{base}/rfqs/{rfq_id}/evaluation/")
    award = page.get_by_test_id("award-recommended")
    expect(award).to_be_disabled()
    expect(page.get_by_test_id("award-blocked")).to_contain_text("high-value")
    expect(page.get_by_test_id("award-blocked")).to_contain_text("No compliance officer has certified")
    screenshot("40-buyer-award-blocked")
    page.context.clear_cookies()

    # The compliance officer finds the report in the admin and opens its page.
    sign_in(page, base, "compliance")  # compliance officers land in the admin
    page.get_by_role("link", name="Fairness reports").click()
    page.get_by_role("link", name=reference).first.click()
    expect(page.locator("#content")).to_contain_text("blocked — it is high-value")
    screenshot("41-admin-fairness-report")
    page.get_by_test_id("admin-report-page").click()
    expect(page.get_by_role("heading", name="Fairness audit report")).to_be_visible()
    expect(page.get_by_test_id("bid-chart")).to_be_visible()
    expect(page.get_by_test_id("distribution-chart")).to_be_visible()
    expect(page.get_by_test_id("median-line")).to_have_count(1)
    expect(page.get_by_test_id("distribution-chart")).to_contain_text("median 171000.00")
    expect(page.get_by_test_id("dist-median")).to_have_text("171000.00")  # of 168 000, 171 000, 176 500
    expect(page.get_by_test_id("award-gate")).to_contain_text("Award blocked until certified")
    expect(page.get_by_test_id("outcome-winner")).to_have_text("not awarded")
    screenshot("42-compliance-fairness-report")

    # Certify approve with findings.
    form = page.get_by_test_id("certify-form")
    form.get_by_label("Approve").check()
    form.get_by_label("Findings").fill("Three independent bidders.\nNo gaming alerts.")
    form.get_by_role("button", name="Certify").click()
    expect(page.locator(".flash--success")).to_contain_text("Certified “Approve”")
    expect(page.get_by_test_id("latest-recommendation")).to_have_text("Approve")
    expect(page.get_by_test_id("certification")).to_contain_text("Three independent bidders.")
    expect(page.get_by_test_id("award-gate")).to_contain_text("Certified: the award may proceed")
    screenshot("43-compliance-certified")
    page.context.clear_cookies()

    # The buyer can now award on the evaluation page.
    sign_in(page, base, "buyer")
    page.goto(f"{base}/rfqs/{rfq_id}/evaluation/")
    expect(page.get_by_test_id("award-blocked")).to_have_count(0)
    page.get_by_test_id("award-recommended").click()
    expect(page.get_by_test_id("rfq-status")).to_have_text("Awarded")
    expect(page.get_by_test_id("awarded")).to_contain_text("168,000.00")
    screenshot("44-buyer-awarded-after-certification")
    assert RFQ.objects.get(pk=rfq_id).status == "awarded"
