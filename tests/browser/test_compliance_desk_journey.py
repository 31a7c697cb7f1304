"""The compliance desk in a real browser at 1280 px: the officer signs in, sees what waits,
opens the supplier whose KYC waits, reads its documents (the table fits the page) and approves;
the desk's count drops."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from suppliers.models import KycStatus, SupplierCompany

from .test_journey import sign_in

WIDTH = 1280


def assert_no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width} px wide at a {WIDTH} px window"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_compliance_officer_approves_kyc_from_the_desk(live_server, page, screenshot, demo):
    base = live_server.url
    supplier = demo.supplier(5)  # KYC submitted, documents uploaded
    page.set_viewport_size({"width": WIDTH, "height": 900})

    sign_in(page, base, "compliance")  # compliance officers land in the admin
    page.goto(f"{base}/admin/")
    desk = page.get_by_test_id("compliance-desk")
    expect(desk).to_be_visible()
    expect(page.get_by_test_id("desk-kyc-count")).to_have_text("1")
    for line in ("alerts", "reports", "samples"):
        expect(page.get_by_test_id(f"desk-{line}")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot("60-compliance-desk")

    desk.get_by_role("link", name="KYC to review", exact=True).click()
    page.get_by_role("link", name=supplier.name).click()
    decision = page.get_by_test_id("kyc-decision")
    expect(decision).to_be_visible()
    documents = page.locator(".inline-group").filter(has_text="KYC document")
    expect(documents.locator("tbody tr").first).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot("61-compliance-kyc-supplier-1280")

    decision.get_by_role("button", name="Approve KYC").click()
    expect(page.locator(".messagelist")).to_contain_text(f"KYC of {supplier.name} approved.")
    expect(page.get_by_test_id("kyc-decision")).to_have_count(0)
    assert SupplierCompany.objects.get(pk=supplier.pk).kyc_status == KycStatus.VERIFIED
    screenshot("62-compliance-kyc-approved")

    page.goto(f"{base}/admin/")
    expect(page.get_by_test_id("desk-kyc-count")).to_have_text("0")
    screenshot("63-compliance-desk-after")

    # The supplier list's filters fit too: the country is typed, not 250 links.
    page.goto(f"{base}/admin/suppliers/suppliercompany/")
    expect(page.get_by_test_id("country-filter")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot("64-compliance-supplier-list")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_compliance_officer_certifies_a_waiting_report_from_the_desk(live_server, page, screenshot, demo):
    from rfqs.models import RFQ

    from .test_fairness_journey import high_value_auction

    base = live_server.url
    reference = RFQ.objects.get(pk=high_value_auction(demo)).reference  # closed, gated, not certified
    page.set_viewport_size({"width": WIDTH, "height": 900})

    sign_in(page, base, "compliance")
    page.goto(f"{base}/admin/")
    expect(page.get_by_test_id("desk-reports-count")).to_have_text("1")
    page.get_by_test_id("desk-reports-count").click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(reference)
    assert_no_horizontal_overflow(page)
    screenshot("65-compliance-reports-awaiting")

    rows.first.get_by_role("link", name=reference).first.click()
    page.get_by_role("link", name="Certify", exact=True).click()
    page.get_by_label("Approve").check()
    page.get_by_label("Findings").fill("Three independent bidders; no alerts.")
    page.get_by_role("button", name="Certify").click()
    expect(page.locator(".messagelist")).to_contain_text("Certified “approve”")

    page.goto(f"{base}/admin/")
    expect(page.get_by_test_id("desk-reports-count")).to_have_text("0")
    screenshot("66-compliance-desk-after-certification")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_desk_and_a_kyc_decision_fit_a_phone(live_server, page, screenshot, demo):
    """At 390 px the desk and the supplier's KYC page do not scroll sideways (tables may
    scroll inside their own box, as the admin's do)."""
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "compliance")
    page.goto(f"{base}/admin/")
    expect(page.get_by_test_id("compliance-desk")).to_be_visible()
    expect(page.get_by_test_id("desk-kyc-count")).to_have_text("1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("67-compliance-desk-390")
    page.goto(f"{base}/admin/suppliers/suppliercompany/{demo.supplier(5).pk}/change/")
    expect(page.get_by_test_id("kyc-decision")).to_be_visible()
    screenshot("68-compliance-kyc-supplier-390")
