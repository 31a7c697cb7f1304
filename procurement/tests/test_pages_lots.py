"""The RFQ page's line-by-line bidding (lots): the "Bidding" choice, each line's starting price."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from rfqs.models import RFQ
from tests.factories import published_rfq
from tests.lots.helpers import LOT_LINES
from tests.lots.helpers import PER_LINE as SETTINGS

from .pages import rfq_form

PER_LINE = {"rev_bidding_basis": "PER_LINE", "rev_starting_price": "",
            "items-0-starting_price": "9000", "items-1-starting_price": "2500.5"}


def test_create_a_per_line_reverse_auction_with_line_starting_prices(login):
    response = login("buyer").post(reverse("buyer-rfq-create"), rfq_form(**PER_LINE))
    rfq = RFQ.objects.get(title="Stores for MV Page Test")
    assert response.status_code == 302
    assert rfq.auction_settings["bidding_basis"] == "PER_LINE"
    assert rfq.auction_settings["starting_price"] is None
    prices = [(li.description, li.starting_price) for li in rfq.line_items.all()]
    assert prices == [("Rice, 25 kg bag", Decimal("9000")), ("Flour, 10 kg bag", Decimal("2500.5"))]


def test_total_bidding_is_the_default(login):
    login("buyer").post(reverse("buyer-rfq-create"), rfq_form())
    rfq = RFQ.objects.get(title="Stores for MV Page Test")
    assert rfq.auction_settings["bidding_basis"] == "TOTAL"
    assert [li.starting_price for li in rfq.line_items.all()] == [None, None]


def test_a_line_starting_price_with_total_bidding_is_refused_on_its_row(login):
    response = login("buyer").post(reverse("buyer-rfq-create"), rfq_form(
        rev_bidding_basis="TOTAL", **{"items-1-starting_price": "2500"}))
    assert response.status_code == 200 and not RFQ.objects.filter(title="Stores for MV Page Test").exists()
    row = response.context["items"].forms[1]
    assert "per-line reverse auction" in row.errors["starting_price"][0]
    assert b"per-line reverse auction" in response.content


def test_one_starting_price_for_all_is_refused_with_per_line_bidding(login):
    response = login("buyer").post(reverse("buyer-rfq-create"), rfq_form(**{**PER_LINE, "rev_starting_price": "12000"}))
    assert response.status_code == 200
    assert response.context["form"].errors["rev_starting_price"]


def test_a_line_starting_price_at_most_the_decrement_is_refused(login):
    response = login("buyer").post(reverse("buyer-rfq-create"), rfq_form(**{**PER_LINE, "items-0-starting_price": "50"}))
    assert response.status_code == 200
    assert response.context["items"].forms[0].errors["starting_price"] == [
        "The minimum decrement must be smaller than the line's starting price."]


def test_editing_a_draft_shows_and_keeps_its_line_starting_prices(login):
    client = login("buyer")
    client.post(reverse("buyer-rfq-create"), rfq_form(**PER_LINE))
    rfq = RFQ.objects.get(title="Stores for MV Page Test")
    page = client.get(reverse("buyer-rfq-edit", args=[rfq.pk]))
    assert page.status_code == 200
    assert page.context["form"]["rev_bidding_basis"].value() == "PER_LINE"
    rows = page.context["items"].forms
    assert [row["starting_price"].value() for row in rows] == ["9000.00", "2500.50"]  # in USD digits
    html = page.content.decode()
    assert 'name="items-0-starting_price" value="9000.00"' in html
    assert 'name="items-1-starting_price" value="2500.50"' in html
    response = client.post(reverse("buyer-rfq-edit", args=[rfq.pk]), rfq_form(**{
        **PER_LINE, "items-1-starting_price": "2400", "items-INITIAL_FORMS": "2"}))
    assert response.status_code == 302
    assert [li.starting_price for li in rfq.line_items.all()] == [Decimal("9000"), Decimal("2400")]


def test_amending_a_per_line_auction_keeps_its_line_starting_prices(demo, login):
    rfq_id = published_rfq(demo, reserve_price={"enabled": False}, line_items=LOT_LINES,
                           auction={"type": "REVERSE_AUCTION", "settings": SETTINGS},
                           bidding_opens_at=(timezone.now() + timedelta(days=1)).isoformat())
    buyer = login("buyer")
    page = buyer.get(reverse("buyer-rfq-detail", args=[rfq_id])).content.decode()
    amend = page.split('data-testid="amend-form"')[1].split("</form>")[0]
    assert 'value="Rice 25kg"' in amend and "starting_price" not in amend  # the amend form has no price column
    form = {"reason": "Rice is 45 bags.", "description": "Monthly stores.",
            "items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "2", "items-MIN_NUM_FORMS": "1",
            "items-MAX_NUM_FORMS": "1000",
            "items-0-description": "Rice 25kg", "items-0-quantity": "45", "items-0-unit": "bag",
            "items-1-description": "Flour 10kg", "items-1-quantity": "20", "items-1-unit": "bag"}
    assert buyer.post(reverse("buyer-rfq-amend", args=[rfq_id]), form).status_code == 302
    rfq = RFQ.objects.get(pk=rfq_id)
    assert [(li.quantity, li.starting_price) for li in rfq.line_items.all()] == [(45, 1000), (20, 500)]
