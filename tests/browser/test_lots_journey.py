"""A live per-line auction (lots) in real Chromium, at 1280 and 390 px: two suppliers bid on
different lines from their pages and each sees the other's line move without reloading; the
buyer's monitor lists each line's leader."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.engine.helpers import items
from tests.lots.helpers import lots_auction

from .conftest import SCREENSHOTS
from .test_live_journey import LIVE, open_as, same_document


def bid_on_line(page, position: int, amount: str) -> None:
    row = page.get_by_test_id(f"lot-{position}")
    row.get_by_label(re.compile(f"Your bid for line {position}")).fill(amount)
    row.get_by_role("button", name="Bid").click()


@pytest.mark.browser
def test_two_suppliers_bid_line_by_line_live(asgi_server, chromium, demo):
    base = asgi_server
    rfq = lots_auction(demo, suppliers=(1, 2), accept=(1, 2))
    rice, flour = items(rfq)
    first = open_as(chromium, base, "supplier1", f"/supplier/rfqs/{rfq}/")
    second = open_as(chromium, base, "supplier2", f"/supplier/rfqs/{rfq}/")
    second.set_viewport_size({"width": 390, "height": 844})
    for page in (first, second):
        expect(page.get_by_test_id("connection")).to_have_attribute("data-connection", "websocket")

    bid_on_line(first, 1, "950.00")  # rice
    expect(first.locator(".flash--success")).to_be_visible()
    expect(second.get_by_test_id("lot-1").get_by_test_id("lot-leading")).to_have_text("USD 950.00", timeout=LIVE)
    expect(second.get_by_test_id("lot-2").get_by_test_id("lot-leading")).to_have_text("No bids yet")
    assert same_document(second)

    bid_on_line(second, 1, "900.00")  # supplier2 takes rice at phone width
    expect(second.locator(".flash--success")).to_be_visible()
    expect(first.get_by_test_id("lot-1").get_by_test_id("lot-leading")).to_have_text("USD 900.00", timeout=LIVE)
    expect(first.get_by_test_id("lot-1").get_by_test_id("lot-rank")).to_have_text("2", timeout=LIVE)
    bid_on_line(first, 2, "480.00")  # flour is its own auction: supplier1 leads it
    expect(second.get_by_test_id("lot-2").get_by_test_id("lot-leading")).to_have_text("USD 480.00", timeout=LIVE)
    expect(first.get_by_test_id("lot-2").get_by_test_id("lot-rank")).to_have_text("1")

    assert second.evaluate("document.documentElement.scrollWidth") <= 390
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    first.screenshot(path=str(SCREENSHOTS / "90-lots-supplier-1280.png"), full_page=True)
    second.screenshot(path=str(SCREENSHOTS / "91-lots-supplier-390.png"), full_page=True)
    buyer = open_as(chromium, base, "buyer", f"/rfqs/{rfq}/")
    lots = buyer.get_by_test_id("buyer-lots")
    expect(lots).to_contain_text(demo.supplier(2).name)
    expect(lots).to_contain_text("USD 480.00")
    buyer.screenshot(path=str(SCREENSHOTS / "92-lots-buyer-monitor-1280.png"), full_page=True)
    assert rice and flour
    for page in (first, second, buyer):
        page.context.close()


@pytest.mark.browser
def test_a_live_update_leaves_the_bid_being_typed_alone(asgi_server, chromium, demo):
    """The next allowed bid is filled in for the supplier only while they are not in the field:
    written under the caret it would splice into what they type ("940.00900.00")."""
    rfq = lots_auction(demo, suppliers=(1, 2), accept=(1, 2))
    first = open_as(chromium, asgi_server, "supplier1", f"/supplier/rfqs/{rfq}/")
    second = open_as(chromium, asgi_server, "supplier2", f"/supplier/rfqs/{rfq}/")
    for page in (first, second):
        expect(page.get_by_test_id("connection")).to_have_attribute("data-connection", "websocket")
    rice, flour = (second.get_by_test_id(f"lot-{n}") for n in (1, 2))
    typing = rice.get_by_label(re.compile("Your bid for line 1"))
    typing.focus()
    before = typing.input_value()

    bid_on_line(first, 1, "950.00")
    expect(rice.get_by_test_id("lot-leading")).to_have_text("USD 950.00", timeout=LIVE)
    expect(rice.locator("[data-state=minimum_next_bid]")).to_have_text("USD 940.00")
    second.wait_for_timeout(400)  # past the state refresh that follows every bid
    assert typing.input_value() == before
    typing.press("Tab")  # out of the field: the next update fills it in again
    bid_on_line(first, 2, "480.00")
    expect(flour.get_by_test_id("lot-leading")).to_have_text("USD 480.00", timeout=LIVE)
    expect(flour.get_by_label(re.compile("Your bid for line 2"))).to_have_value("470.00")
    expect(typing).to_have_value("940.00")
    for page in (first, second):
        page.context.close()
