"""The pages people use on a phone, at 390 px (issue 15): the supplier's bid page, the buyer's
list and monitor, and the evaluation page. Nothing makes the page itself scroll sideways
(wide tables scroll inside their card), and each page is kept as a screenshot."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.engine.helpers import bid, reverse_auction
from tests.factories import move_deadline_into_past

from .test_journey import sign_in, sign_out

PHONE = {"width": 390, "height": 844}


def overflow(page) -> list[str]:
    """Elements that stick out past the viewport's right edge, outside any scrolling box."""
    return page.evaluate("""() => {
      const width = document.documentElement.clientWidth, out = [];
      const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p).overflowX; if (s === 'auto' || s === 'scroll' || s === 'hidden') return true; }
        return false; };
      for (const el of document.body.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.width && r.right > width + 1 && !scrolls(el) && getComputedStyle(el).position !== 'fixed')
          out.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') + ' ' + Math.round(r.right));
      }
      return out.slice(0, 10);
    }""")


def check(page, screenshot, name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], overflow(page)
    assert overflow(page) == []
    screenshot(name)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_phone_pages_fit_390_px(live_server, page, screenshot, demo, api):
    base = live_server.url
    page.set_viewport_size(PHONE)
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    assert bid(api, "supplier1", rfq, "9500.00").status_code == 201
    assert bid(api, "supplier2", rfq, "9300.00").status_code == 201

    sign_in(page, base, "supplier1")
    page.goto(f"{base}/supplier/rfqs/{rfq}/")
    check(page, screenshot, "70-phone-supplier-bid-page")
    page.goto(f"{base}/supplier/invitations/")
    check(page, screenshot, "71-phone-supplier-invitations")
    sign_out(page)

    sign_in(page, base, "buyer")
    page.goto(f"{base}/rfqs/")
    check(page, screenshot, "72-phone-buyer-list")
    page.goto(f"{base}/rfqs/{rfq}/")
    check(page, screenshot, "73-phone-buyer-monitor")
    move_deadline_into_past(rfq)
    assert api("buyer").post(f"/api/v1/rfqs/{rfq}/close/", {}, format="json").status_code == 200
    page.goto(f"{base}/rfqs/{rfq}/evaluation/")
    # The comparison chart is laid out for the phone (labels above the bars), not shrunk.
    expect(page.get_by_test_id("comparison-chart-narrow")).to_be_visible()
    expect(page.get_by_test_id("comparison-chart")).to_be_hidden()
    check(page, screenshot, "74-phone-evaluation")
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.get_by_test_id("comparison-chart")).to_be_visible()
    expect(page.get_by_test_id("comparison-chart-narrow")).to_be_hidden()
