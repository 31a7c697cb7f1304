"""A supplier in Singapore who types German numbers, in a real browser: the quote form's totals
read the prices as the server does, and the deadline the live script keeps shows the same
zone as the server rendered it (quayside.js zoneDate, Intl.DateTimeFormat)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from auctions.models import Bid
from rfqs.models import RFQ
from tests.factories import published_rfq

from .test_journey import sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_de_user_in_singapore_quotes_with_german_numbers(live_server, page, demo):
    base = live_server.url
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1, 2))  # 40 bags of rice, 20 of flour
    get_user_model().objects.filter(username="supplier1").update(time_zone="Asia/Singapore", number_format="de")
    sign_in(page, base, "supplier1")
    page.goto(f"{base}/supplier/rfqs/{rfq_id}/")
    expect(page.get_by_test_id("amount-rule")).to_contain_text("Type 48.500,00 — point for thousands, comma for decimals")

    prices = page.locator("[data-quote-line] input[data-price]")
    prices.nth(0).fill("1.234,50")
    prices.nth(1).fill("10")
    expect(page.locator("[data-grand-total]")).to_have_text("USD 49,580.00")  # 40 × 1234.50 + 20 × 10
    prices.nth(1).fill("9,000")  # nine with three decimals: not a USD price
    expect(page.locator("[data-grand-total]")).to_have_text("Check the prices")
    page.get_by_role("button", name="Submit sealed quote").click()
    expect(page.locator("[data-quote-line]").nth(1).locator(".error")).to_contain_text("at most 2 in this currency")
    assert not Bid.objects.exists()

    page.locator("[data-quote-line] input[data-price]").nth(1).fill("10,00")
    page.get_by_role("button", name="Submit sealed quote").click()
    expect(page.locator(".flash--success")).to_contain_text("total USD 49,580.00")
    expect(page.locator(".flash--success")).to_contain_text("+08")  # "sealed until … (… +08)"

    local = RFQ.objects.get(pk=rfq_id).bidding_deadline.astimezone(ZoneInfo("Asia/Singapore"))
    deadline = page.locator("[data-live-deadline] time").first
    expect(deadline).to_have_text(f"{local.day} {local:%b %Y, %H:%M} +08")  # as the server and the script say
