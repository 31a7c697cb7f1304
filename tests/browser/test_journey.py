"""The first journey through the product, in a real browser against a live server:
a buyer creates and publishes an RFQ, an invited supplier accepts its invitation."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from rfqs.models import RFQ

PASSWORD = "quayside-demo"
TITLE = "Deck and engine stores for MV Journey Star"


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_buyer_publishes_an_rfq_and_a_supplier_accepts(live_server, page, screenshot):
    call_command("seed_demo", verbosity=0)
    base = live_server.url

    # The buyer signs in and lands on its RFQ list.
    sign_in(page, base, "buyer")
    expect(page.get_by_role("heading", name="Requests for quotation")).to_be_visible()
    expect(page.locator(".userbox")).to_contain_text("Blue Anchor Shipping")
    screenshot("01-buyer-rfq-list")

    buyer_saves_a_draft(page, screenshot, deadline=timezone.now() + timedelta(days=3))
    buyer_invites_two_suppliers(page, screenshot)

    # Publish: no opening time was set, so bidding opens at once.
    page.get_by_role("button", name="Publish and send invitations").click()
    expect(page.get_by_test_id("rfq-status")).to_have_text("Open")
    expect(page.locator(".flash--success")).to_contain_text("is published")
    expect(page.get_by_test_id("invitations").locator("tr", has_text="Poseidon Marine Supply")).to_contain_text("Sent")
    screenshot("06-buyer-rfq-published")
    rfq = RFQ.objects.get(title=TITLE)
    assert rfq.status == "open" and rfq.line_items.count() == 2
    sign_out(page)

    sign_in(page, base, "supplier1")
    supplier_accepts_from_its_inbox(page, screenshot)
    assert rfq.invitations.get(supplier__name="Poseidon Marine Supply").status == "ACCEPTED"


def buyer_saves_a_draft(page, screenshot, *, deadline) -> None:
    """A new RFQ with two line items, run as a reverse auction from the commodity template."""
    page.get_by_role("link", name="+ New RFQ").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Description", exact=True).fill("Monthly stores for the Piraeus call.")
    page.get_by_label("Category").select_option("provisions")
    page.get_by_label("Delivery port").select_option("GRPIR")
    page.get_by_label("Delivery date").fill((deadline + timedelta(days=10)).date().isoformat())
    page.get_by_label("Bidding deadline (UTC)").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Commodity purchase").check()
    page.get_by_label("Starting price (ceiling)").fill("15000")
    rows = page.locator("[data-formset=items] tr[data-row]:not(.is-removed)")
    rows.nth(0).get_by_label("Line item description").fill("Rice, long grain, 25 kg bag")
    rows.nth(0).get_by_label("Line item quantity").fill("40")
    rows.nth(0).get_by_label("Line item unit").fill("bag")
    rows.nth(0).get_by_label("Line item IMPA code").fill("000101")
    page.get_by_role("button", name="+ Add line item").click()
    expect(rows).to_have_count(2)
    rows.nth(1).get_by_label("Line item description").fill("Cooking oil, 20 l can")
    rows.nth(1).get_by_label("Line item quantity").fill("12")
    rows.nth(1).get_by_label("Line item unit").fill("can")
    screenshot("02-buyer-new-rfq-form")
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_test_id("rfq-status")).to_have_text("Draft")
    expect(page.locator(".flash--success")).to_contain_text("saved as a draft")
    expect(page.get_by_role("cell", name="Cooking oil, 20 l can")).to_be_visible()
    screenshot("03-buyer-rfq-draft")


def buyer_invites_two_suppliers(page, screenshot) -> None:
    """Two suppliers picked in the supplier picker."""
    page.get_by_role("link", name="Invite suppliers").first.click()
    expect(page.get_by_role("heading", name="Invite suppliers")).to_be_visible()
    expect(page.locator("tr[data-supplier='Oceanic Spares']")).to_contain_text("Not eligible")
    page.locator("tr[data-supplier='Poseidon Marine Supply'] input[name=supplier_ids]").check()
    page.locator("tr[data-supplier='Harbour Chandlers Pte'] input[name=supplier_ids]").check()
    expect(page.locator("[data-selected-count]")).to_have_text("2 suppliers selected")
    screenshot("04-buyer-supplier-picker")
    page.get_by_role("button", name="Invite selected suppliers").click()
    invitations = page.get_by_test_id("invitations")
    expect(invitations).to_contain_text("Poseidon Marine Supply")
    expect(invitations).to_contain_text("Harbour Chandlers Pte")
    screenshot("05-buyer-rfq-invited")


def supplier_accepts_from_its_inbox(page, screenshot) -> None:
    """supplier1 finds the invitation in its inbox and accepts it."""
    expect(page.get_by_role("heading", name="Invitations to quote")).to_be_visible()
    waiting = page.locator("section", has_text="Waiting for your answer")
    expect(waiting).to_contain_text(TITLE)
    screenshot("07-supplier-inbox")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_test_id("invitation-status")).to_have_text("Sent")
    expect(page.get_by_role("cell", name="Rice, long grain, 25 kg bag")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Harbour Chandlers")  # other invitees stay unnamed
    screenshot("08-supplier-invitation")
    page.get_by_role("button", name="Accept invitation").click()
    expect(page.get_by_test_id("invitation-status")).to_have_text("Accepted")
    expect(page.locator(".flash--success")).to_contain_text("You accepted the invitation")
    screenshot("09-supplier-invitation-accepted")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Invitations").click()
    expect(page.locator("section", has_text="Accepted")).to_contain_text(TITLE)
    screenshot("10-supplier-inbox-after-accepting")
