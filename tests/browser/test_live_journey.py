"""A live reverse auction in real Chromium: two suppliers and the buyer's monitor follow the
same auction as it happens, without reloading; a supplier whose WebSocket is blocked still
follows it (Server-Sent Events)."""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.engine.helpers import reverse_auction, set_deadline
from tests.factories import move_deadline_into_past

from .conftest import SCREENSHOTS
from .test_journey import sign_in

LIVE = 4_000  # ms: pushed updates, far below the 5 s a poll would take


def open_as(chromium, base: str, username: str, path: str, *, block_websocket: bool = False):
    context = chromium.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB", timezone_id="UTC",
                                 reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())  # the pages confirm irreversible steps
    if block_websocket:
        page.route_web_socket(re.compile(r".*/ws/.*"), lambda socket: socket.close(code=1011, reason="blocked"))
    sign_in(page, base, username)
    page.goto(f"{base}{path}")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    return page


def api_call(base: str, demo, username: str, path: str, body: dict):
    """Through the server under test, as the outside world calls it (live messages are
    published by the server that handles the write)."""
    from rest_framework.authtoken.models import Token

    token = Token.objects.get_or_create(user=demo.user(username))[0].key
    return requests.post(f"{base}{path}", json=body, headers={"Authorization": f"Token {token}"}, timeout=15)


def same_document(page) -> bool:
    return page.evaluate("window.__sameDocument === true")


@pytest.mark.browser
def test_two_suppliers_and_the_buyer_follow_one_auction_live(asgi_server, chromium, demo):
    base = asgi_server
    rfq = reverse_auction(demo, suppliers=(1, 2, 3), accept=(1, 2, 3))
    first = open_as(chromium, base, "supplier1", f"/supplier/rfqs/{rfq}/")
    second = open_as(chromium, base, "supplier2", f"/supplier/rfqs/{rfq}/")
    blocked = open_as(chromium, base, "supplier3", f"/supplier/rfqs/{rfq}/", block_websocket=True)
    buyer = open_as(chromium, base, "buyer", f"/rfqs/{rfq}/")
    for page in (first, second, buyer):
        expect(page.get_by_test_id("connection")).to_have_attribute("data-connection", "websocket")
    expect(blocked.get_by_test_id("connection")).to_have_attribute("data-connection", re.compile("sse|polling"))
    # The buyer sees who follows the auction (the blocked page does not hold a WebSocket).
    online = buyer.get_by_test_id("online-suppliers")
    for n in (1, 2):
        expect(online).to_contain_text(demo.supplier(n).name, timeout=LIVE)

    # supplier1 bids from its page; everyone else sees it without reloading.
    first.get_by_label(re.compile("Your bid")).fill("9000.00")
    first.get_by_role("button", name="Bid", exact=True).click()
    expect(first.get_by_test_id("leading-bid")).to_have_text("USD 9,000.00")
    expect(second.get_by_test_id("leading-bid")).to_have_text("USD 9,000.00", timeout=LIVE)
    expect(second.get_by_test_id("your-rank")).to_have_text("—")
    expect(buyer.get_by_test_id("buyer-bids")).to_contain_text(demo.supplier(1).name, timeout=LIVE)
    expect(buyer.get_by_test_id("bid-chart")).to_be_visible()
    expect(blocked.get_by_test_id("leading-bid")).to_have_text("USD 9,000.00", timeout=LIVE + 5_000)

    # supplier2 takes the lead: supplier1's rank drops to 2, pushed privately.
    assert api_call(base, demo, "supplier2", f"/api/v1/rfqs/{rfq}/bids/", {"amount": "8800.00"}).status_code == 201
    expect(second.get_by_test_id("your-rank")).to_have_text("1", timeout=LIVE)
    expect(first.get_by_test_id("your-rank")).to_have_text("2", timeout=LIVE)
    expect(first.get_by_test_id("leading-bid")).to_have_text("USD 8,800.00", timeout=LIVE)
    expect(buyer.get_by_test_id("buyer-leading-bid")).to_have_text(re.compile("8,800.00"), timeout=LIVE)

    # A bid inside the anti-sniping window: all of them announce the extension.
    set_deadline(rfq, 200)
    response = api_call(base, demo, "supplier1", f"/api/v1/rfqs/{rfq}/bids/", {"amount": "8600.00"})
    assert response.status_code == 201, response.text
    for page in (first, second, buyer):
        expect(page.get_by_test_id("live-notice")).to_contain_text("extended", timeout=LIVE)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    first.screenshot(path=str(SCREENSHOTS / "30-supplier-live-extension.png"), full_page=True)
    buyer.screenshot(path=str(SCREENSHOTS / "31-buyer-live-monitor.png"), full_page=True)

    # The buyer closes once the deadline has passed: the suppliers see the result.
    move_deadline_into_past(rfq)
    assert api_call(base, demo, "buyer", f"/api/v1/rfqs/{rfq}/close/", {}).status_code == 200
    for page in (first, second):
        expect(page.get_by_test_id("live-notice")).to_contain_text("Bidding has closed", timeout=LIVE)
        expect(page.get_by_test_id("live-notice")).to_contain_text("8,600.00")
    expect(buyer.get_by_test_id("live-notice")).to_contain_text("closed", timeout=LIVE)
    expect(blocked.get_by_test_id("live-notice")).to_contain_text("Bidding has closed", timeout=LIVE + 5_000)
    for page in (second, buyer, blocked):
        assert same_document(page)
    for page in (first, second, blocked, buyer):
        page.context.close()


@pytest.mark.browser
def test_the_buyer_falls_back_to_sealed_bids_and_the_supplier_is_told(asgi_server, chromium, demo):
    base = asgi_server
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    assert api_call(base, demo, "supplier1", f"/api/v1/rfqs/{rfq}/bids/", {"amount": "9000.00"}).status_code == 201
    supplier = open_as(chromium, base, "supplier2", f"/supplier/rfqs/{rfq}/")
    buyer = open_as(chromium, base, "buyer", f"/rfqs/{rfq}/")
    expect(supplier.get_by_test_id("leading-bid")).to_have_text("USD 9,000.00")
    expect(supplier.get_by_test_id("connection")).to_have_attribute("data-connection", "websocket")

    control = buyer.get_by_test_id("fallback-control")
    control.locator("summary").click()
    control.get_by_label(re.compile("Reason")).fill("Suppliers report dropped connections")
    control.get_by_role("button", name="Switch to sealed bids").click()
    expect(buyer.get_by_text("now collects sealed bids")).to_be_visible()

    # The supplier's page hears of it and shows the sealed mode: no leading bid any more.
    expect(supplier.get_by_test_id("sealed-fallback")).to_be_visible(timeout=LIVE + 3_000)
    expect(supplier.get_by_test_id("leading-bid")).to_have_count(0)
    supplier.get_by_label(re.compile("Your bid")).fill("9100.00")  # above the old best: allowed, sealed
    supplier.get_by_role("button", name="Bid", exact=True).click()
    expect(supplier.get_by_test_id("bid-history")).to_contain_text("9,100.00")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    supplier.screenshot(path=str(SCREENSHOTS / "32-supplier-sealed-fallback.png"), full_page=True)
    for page in (supplier, buyer):
        page.context.close()


@pytest.mark.browser
def test_a_dropped_connection_reconnects_and_catches_up_without_a_reload(asgi_server, chromium, demo):
    base = asgi_server
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    context = chromium.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB", timezone_id="UTC",
                                 reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(15_000)
    routes = []

    def through(socket):  # pass every connection through to the server, keeping a handle on it
        routes.append(socket)
        socket.connect_to_server()

    page.route_web_socket(re.compile(r".*/ws/.*"), through)
    sign_in(page, base, "supplier2")
    page.goto(f"{base}/supplier/rfqs/{rfq}/")
    page.evaluate("window.__sameDocument = true")
    indicator = page.get_by_test_id("connection")
    expect(indicator).to_have_attribute("data-connection", "websocket")

    routes[-1].close(code=1001, reason="network dropped")  # the line goes down...
    assert api_call(base, demo, "supplier1", f"/api/v1/rfqs/{rfq}/bids/", {"amount": "9000.00"}).status_code == 201
    # ...the page reconnects by itself (backoff) and catches up on what it missed.
    expect(page.get_by_test_id("leading-bid")).to_have_text("USD 9,000.00", timeout=LIVE + 3_000)
    expect(indicator).to_have_attribute("data-connection", "websocket")
    assert len(routes) >= 2 and same_document(page)

    # Paused while the line was down: the fresh `state` brings the page to the server's state.
    routes[-1].close(code=1001, reason="network dropped")
    assert api_call(base, demo, "buyer", f"/api/v1/rfqs/{rfq}/pause/", {}).status_code == 200
    expect(page.get_by_test_id("rfq-status")).to_have_text("Paused", timeout=LIVE + 3_000)
    expect(page.get_by_test_id("live-notice")).to_contain_text("paused")
    expect(page.get_by_role("button", name="Bid", exact=True)).to_be_disabled()
    assert same_document(page)
    context.close()


@pytest.mark.browser
def test_a_state_read_before_the_last_event_does_not_put_older_figures_back(asgi_server, chromium, demo):
    """After each bid the page refreshes its state; a refresh that comes back after a newer
    event (a slow server, a busy machine) holds older figures and must not replace them."""
    base = asgi_server
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    page = open_as(chromium, base, "supplier1", f"/supplier/rfqs/{rfq}/")
    expect(page.get_by_test_id("connection")).to_have_attribute("data-connection", "websocket")
    assert api_call(base, demo, "supplier1", f"/api/v1/rfqs/{rfq}/bids/", {"amount": "9000.00"}).status_code == 201
    expect(page.get_by_test_id("leading-bid")).to_have_text("USD 9,000.00", timeout=LIVE)
    # From now on every refresh answers with the state as it was at 9,000.00.
    stale = page.evaluate(f"fetch('/api/v1/rfqs/{rfq}/state/', {{credentials: 'same-origin'}}).then(r => r.text())")
    page.route(re.compile(rf".*/api/v1/rfqs/{rfq}/state/$"),
               lambda route: route.fulfill(status=200, content_type="application/json", body=stale))
    with page.expect_response(re.compile(rf".*/api/v1/rfqs/{rfq}/state/$")):
        assert api_call(base, demo, "supplier2", f"/api/v1/rfqs/{rfq}/bids/", {"amount": "8800.00"}).status_code == 201
    expect(page.get_by_test_id("leading-bid")).to_have_text("USD 8,800.00", timeout=LIVE)
    page.wait_for_timeout(500)  # the stale state has been handled by now
    expect(page.get_by_test_id("leading-bid")).to_have_text("USD 8,800.00", timeout=1)
    assert page.evaluate("window.__sameDocument") is True
