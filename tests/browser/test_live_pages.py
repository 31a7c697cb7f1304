"""Live pages follow the auction's state without a reload (issue 11, finding 7): a pause
stops the supplier's form and countdown, a resume brings both back from the moved deadline;
the buyer's monitor follows extensions, pause/resume and the close."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from rfqs.models import RFQ
from tests.engine.helpers import reverse_auction, set_deadline
from tests.factories import move_deadline_into_past

from .conftest import SCREENSHOTS
from .test_live_journey import LIVE, api_call, open_as, same_document

PAUSED_WORDS = re.compile("paused", re.IGNORECASE)


def seconds_left(page) -> int:
    """The countdown as seconds ("09:58" → 598); the deadlines here are minutes away."""
    text = page.get_by_test_id("countdown").inner_text()
    minutes, seconds = re.fullmatch(r"(\d+):(\d\d)", text.strip()).groups()
    return int(minutes) * 60 + int(seconds)


def holds(page) -> int:
    """The countdown stands still (read twice, two seconds apart); returns its value."""
    first = seconds_left(page)
    time.sleep(2.1)
    assert seconds_left(page) == first, "the countdown kept running"
    return first


def runs(page) -> None:
    """The countdown moves (within a few seconds, however busy the machine)."""
    countdown = page.get_by_test_id("countdown")
    expect(countdown).not_to_have_text(countdown.inner_text(), timeout=4_000)


def deadline_text(rfq: int) -> str:
    deadline = RFQ.objects.get(pk=rfq).bidding_deadline
    return f"{deadline.day} {deadline:%b %Y, %H:%M:%S} UTC"  # the browser's user reads UTC


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def pause(base, demo, rfq):
    response = api_call(base, demo, "buyer", f"/api/v1/rfqs/{rfq}/pause/", {"reason": "Checking the line items"})
    assert response.status_code == 200, response.text


def resume(base, demo, rfq):
    assert api_call(base, demo, "buyer", f"/api/v1/rfqs/{rfq}/resume/", {}).status_code == 200


def expect_paused(page):
    expect(page.get_by_test_id("rfq-status")).to_have_text("Paused", timeout=LIVE)
    expect(page.get_by_test_id("live-notice")).to_contain_text("paused")
    expect(page.get_by_role("button", name="Bid", exact=True)).to_be_disabled()
    expect(page.get_by_label(re.compile("Your bid"))).to_be_disabled()


def expect_resumed(page):
    """The form is back, and only the resumed message says anything about the pause."""
    expect(page.get_by_test_id("rfq-status")).to_have_text("Open", timeout=LIVE)
    expect(page.get_by_test_id("live-notice")).to_contain_text("resumed")
    expect(page.get_by_role("button", name="Bid", exact=True)).to_be_enabled()
    expect(page.locator("main")).not_to_contain_text(PAUSED_WORDS, use_inner_text=True)


@pytest.mark.browser
def test_a_pause_stops_the_open_bid_page_and_the_resume_brings_the_form_back(asgi_server, chromium, demo):
    base = asgi_server
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    set_deadline(rfq, 600)
    page = open_as(chromium, base, "supplier1", f"/supplier/rfqs/{rfq}/")
    expect(page.get_by_test_id("connection")).to_have_attribute("data-connection", "websocket")
    runs(page)

    pause(base, demo, rfq)
    expect_paused(page)
    held = holds(page)
    shot(page, "40-supplier-paused")

    resume(base, demo, rfq)
    expect_resumed(page)
    # Restarted from the deadline the server moved by the pause (3 s or more): the time left
    # is what it was, give or take the clocks' second.
    assert held - 2 <= seconds_left(page) <= held + 1
    runs(page)
    page.get_by_label(re.compile("Your bid")).fill("9000.00")
    page.get_by_role("button", name="Bid", exact=True).click()
    expect(page.get_by_test_id("leading-bid")).to_have_text("USD 9,000.00")
    page.context.close()


@pytest.mark.browser
def test_a_bid_page_opened_during_the_pause_gets_its_form_at_the_resume(asgi_server, chromium, demo):
    base = asgi_server
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    set_deadline(rfq, 600)
    pause(base, demo, rfq)
    page = open_as(chromium, base, "supplier2", f"/supplier/rfqs/{rfq}/")
    expect_paused(page)
    expect(page.get_by_test_id("connection")).to_have_attribute("data-connection", "websocket")
    held = holds(page)
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "41-supplier-opened-paused-mobile")
    page.set_viewport_size({"width": 1360, "height": 900})

    resume(base, demo, rfq)
    expect_resumed(page)
    assert held - 2 <= seconds_left(page) <= held + 1
    runs(page)
    assert same_document(page)
    page.context.close()


@pytest.mark.browser
def test_the_buyer_monitor_follows_extension_pause_and_close(asgi_server, chromium, demo):
    base = asgi_server
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    set_deadline(rfq, 200)  # inside the anti-sniping window: a bid extends it
    page = open_as(chromium, base, "buyer", f"/rfqs/{rfq}/")
    expect(page.get_by_test_id("connection")).to_have_attribute("data-connection", "websocket")
    runs(page)
    expect(page.get_by_test_id("runs-until")).to_have_text(deadline_text(rfq))

    assert api_call(base, demo, "supplier1", f"/api/v1/rfqs/{rfq}/bids/", {"amount": "9000.00"}).status_code == 201
    extended = deadline_text(rfq)
    expect(page.get_by_test_id("live-notice")).to_contain_text("extended", timeout=LIVE)
    expect(page.get_by_test_id("runs-until")).to_have_text(extended)
    stamp = f"{RFQ.objects.get(pk=rfq).bidding_deadline:%Y-%m-%d %H:%M:%S}"
    expect(page.get_by_test_id("runs-until-blocker")).to_have_text(stamp)
    assert seconds_left(page) > 200

    pause(base, demo, rfq)
    expect(page.get_by_test_id("rfq-status")).to_have_text("Paused", timeout=LIVE)
    expect(page.get_by_role("button", name="Resume bidding")).to_be_visible()
    expect(page.get_by_role("button", name="Pause bidding")).to_be_hidden()
    holds(page)
    shot(page, "42-buyer-paused")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "42-buyer-paused-mobile")
    page.set_viewport_size({"width": 1360, "height": 900})
    resume(base, demo, rfq)
    expect(page.get_by_role("button", name="Pause bidding")).to_be_visible(timeout=LIVE)
    expect(page.get_by_role("button", name="Resume bidding")).to_be_hidden()
    expect(page.get_by_test_id("live-notice")).to_contain_text("resumed")

    move_deadline_into_past(rfq)
    assert api_call(base, demo, "buyer", f"/api/v1/rfqs/{rfq}/close/", {}).status_code == 200
    expect(page.get_by_test_id("rfq-status")).to_have_text("Closed", timeout=LIVE)
    for name in ("Pause bidding", "Resume bidding", "Close bidding"):
        expect(page.get_by_role("button", name=name)).to_be_hidden()
    expect(page.get_by_test_id("next-step").get_by_role("link", name=re.compile("Compare bids"))).to_be_visible()
    expect(page.get_by_test_id("countdown")).to_have_text("Closed")
    shot(page, "43-buyer-closed")
    assert same_document(page)
    page.context.close()
