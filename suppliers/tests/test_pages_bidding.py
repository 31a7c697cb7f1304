"""Supplier bidding pages: the sealed and multi-attribute quote forms, the reverse-auction
bid form, refusals with the rules' messages, the supplier's own history, withdrawals."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import dateformat

from auctions.models import Bid, BidStatus
from auctions.selectors import own_quote
from rfqs.models import RFQ
from tests.factories import move_deadline_into_past, published_rfq

MA_SETTINGS = {"scoring_method": "WEIGHTED_SUM", "price_weight": 60, "criteria": [
    {"id": "delivery_days", "name": "Delivery time", "weight": 30, "type": "NUMERIC", "higher_is_better": False,
     "min_value": 0, "max_value": 60, "unit": "days"},
    {"id": "class_certified", "name": "Class-certified", "weight": 10, "type": "BOOLEAN", "higher_is_better": True},
]}


def flashes(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def items(rfq_id: int) -> list[int]:
    return list(RFQ.objects.get(pk=rfq_id).line_items.values_list("pk", flat=True))  # 40 and 20 bags


def quote(rfq_id: int, *prices: str, **extra) -> dict:
    data = {f"price_{pk}": price for pk, price in zip(items(rfq_id), prices, strict=True)}
    return {"valid_until": "", "terms": "30 days net", **data, **extra}


@pytest.fixture
def sealed(demo):
    return published_rfq(demo, suppliers=(1, 2, 3), accept=(1, 2, 3))


@pytest.fixture
def reverse_auction(demo):
    return published_rfq(demo, suppliers=(1, 2, 3), accept=(1, 2, 3), reserve_price={"enabled": False}, auction={
        "type": "REVERSE_AUCTION", "settings": {"starting_price": "10000.00", "minimum_decrement": "100.00",
                                                "decrement_type": "AMOUNT"}})


def page(client, rfq_id):
    return client.get(reverse("supplier-rfq", args=[rfq_id]))


def bid(client, rfq_id, data, **kwargs):
    return client.post(reverse("supplier-rfq-bid", args=[rfq_id]), data, **kwargs)


# --- Sealed quotes ------------------------------------------------------------------------------

def test_the_quote_form_is_offered_once_the_invitation_is_accepted(login, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1,))
    accepted = page(login("supplier1"), rfq_id)
    assert accepted.context["bidding_open"] and 'name="price_' in accepted.content.decode()
    not_yet = page(login("supplier2"), rfq_id)  # invitation still SENT
    assert not not_yet.context["bidding_open"] and 'name="price_' not in not_yet.content.decode()


def test_place_a_sealed_quote(login, demo, sealed):
    client = login("supplier1")
    response = bid(client, sealed, quote(sealed, "123.45", "67.89", valid_until="2030-01-31"), follow=True)
    deadline = dateformat.format(RFQ.objects.get(pk=sealed).bidding_deadline, "j M Y, H:i")
    assert flashes(response) == ["Quote version 1 received: total USD 6,295.80. It stays sealed until bidding "
                                 f"closes ({deadline} UTC)."]
    placed = Bid.objects.get(rfq_id=sealed)
    assert placed.is_sealed and placed.amount is None  # encrypted at rest, whatever the page showed
    assert own_quote(placed)["total"] == Decimal("6295.80") and own_quote(placed)["terms"] == "30 days net"
    content = response.content.decode()
    assert 'data-testid="current-total">USD 6,295.80<' in content
    assert "USD 4,938.00" in content and "USD 1,357.80" in content  # line totals of the current version
    assert response.context["latest"]["bid"] == placed


def test_revise_a_quote_keeps_every_version(login, sealed):
    client = login("supplier1")
    bid(client, sealed, quote(sealed, "123.45", "67.89"))
    revision_form = page(client, sealed)
    assert revision_form.context["can_revise"]
    assert revision_form.context["quote_form"].initial[f"price_{items(sealed)[0]}"] == Decimal("123.45")  # starts from v1
    response = bid(client, sealed, quote(sealed, "120.00", "67.89"), follow=True)
    assert "Quote version 2 received: total USD 6,157.80" in flashes(response)[0]
    versions = [(b.version, b.status) for b in Bid.objects.filter(rfq_id=sealed).order_by("version")]
    assert versions == [(1, BidStatus.SUPERSEDED), (2, BidStatus.ACCEPTED)]
    history = [(row["bid"].version, row["amount"]) for row in response.context["history"]]
    assert history == [(2, "USD 6,157.80"), (1, "USD 6,295.80")]
    assert '<tr class="is-muted" data-bid="' in response.content.decode()  # the superseded version, greyed


def test_a_refused_quote_shows_the_rule_on_its_input_and_stores_nothing(login, sealed):
    response = bid(login("supplier1"), sealed, quote(sealed, "12.345", ""))
    assert response.status_code == 200
    assert not Bid.objects.filter(rfq_id=sealed).exists()
    # Too many decimals for the currency: the number format's rule refuses it on its input
    # (common/local_format.py), before the rules judge the quote.
    form = response.context["quote_form"]
    first, _second = items(sealed)
    assert form.errors[f"price_{first}"] == [
        "3 digits after the point: at most 2 in this currency. "
        "Type 48,500.00 — comma for thousands, point for decimals (at most 2)."]
    content = response.content.decode()
    assert "at most 2 in this currency" in content
    assert 'value="12.345"' in content  # what was typed stays in the form

    # A price the number format reads goes on to the rules, which name theirs.
    response = bid(login("supplier1"), sealed, quote(sealed, "0", ""))
    problems = {p["rule"] for p in response.context["problems"]}
    assert "line_items_complete" in problems
    assert "Your quote was not accepted" in response.content.decode()


def test_a_quote_without_any_price_is_refused_by_the_form(login, sealed):
    response = bid(login("supplier1"), sealed, quote(sealed, "", ""))
    assert response.context["quote_form"].non_field_errors() == ["Enter your unit prices before submitting the quote."]
    assert not Bid.objects.exists()


def test_a_validity_before_the_deadline_is_refused_on_its_field(login, sealed):
    response = bid(login("supplier1"), sealed, quote(sealed, "10", "10", valid_until="2020-01-01"))
    assert response.context["quote_form"].errors["valid_until"] == [
        "The quote must stay valid at least until bidding closes."]
    assert not Bid.objects.exists()


def test_one_firm_quote_when_revisions_are_off(login, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1,), auction={
        "type": "SEALED_BID", "settings": {"allow_multiple_submissions": False}})
    client = login("supplier1")
    bid(client, rfq_id, quote(rfq_id, "10", "10"))
    after = page(client, rfq_id)
    assert not after.context["can_revise"] and "one firm quote per supplier" in after.content.decode()
    again = bid(client, rfq_id, quote(rfq_id, "9", "9"))
    assert [p["rule"] for p in again.context["problems"]] == ["revision_allowed"]
    assert Bid.objects.filter(rfq_id=rfq_id).count() == 1


def test_after_the_deadline_the_form_is_gone_and_a_late_quote_is_refused(login, sealed):
    move_deadline_into_past(sealed)
    client = login("supplier1")
    response = page(client, sealed)
    assert not response.context["bidding_open"] and "Bidding is closed." in response.content.decode()
    late = bid(client, sealed, quote(sealed, "10", "10"))
    assert [p["message"] for p in late.context["problems"]] == ["The bidding deadline has passed."]
    assert "The bidding deadline has passed." in late.content.decode()  # shown, though the form is gone
    assert not Bid.objects.exists()


# --- Multi-attribute ------------------------------------------------------------------------------

def test_multi_attribute_form_has_a_typed_input_per_criterion_and_shows_the_weights(login, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1,), reserve_price={"enabled": False},
                           auction={"type": "MULTI_ATTRIBUTE", "settings": MA_SETTINGS})
    response = page(login("supplier1"), rfq_id)
    content = response.content.decode()
    assert 'name="criterion_delivery_days"' in content and 'type="number"' in content
    assert 'min="0"' in content and 'max="60"' in content
    assert 'type="checkbox" name="criterion_class_certified"' in content
    shares = {w["name"]: w["share_display"] for w in response.context["weights"]}
    assert shares == {"Price (quote total)": "60 %", "Delivery time": "30 %", "Class-certified": "10 %"}
    assert "0–60 days" in content and "Lower is better" in content


def test_multi_attribute_quote_carries_the_answers(login, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1,), reserve_price={"enabled": False},
                           auction={"type": "MULTI_ATTRIBUTE", "settings": MA_SETTINGS})
    client = login("supplier1")
    refused = bid(client, rfq_id, quote(rfq_id, "10", "10", criterion_delivery_days="75"))
    assert refused.context["quote_form"].errors["criterion_delivery_days"] == ["Must be between 0 and 60."]
    assert [p["message"] for p in refused.context["problems"]] == ["Delivery time: must be between 0 and 60."]
    assert not Bid.objects.exists()
    bid(client, rfq_id, quote(rfq_id, "10", "10", criterion_delivery_days="14", criterion_class_certified="on"))
    placed = Bid.objects.get(rfq_id=rfq_id)
    assert own_quote(placed)["criteria"] == {"delivery_days": 14, "class_certified": True}


# --- Reverse auction ---------------------------------------------------------------------------------

def test_reverse_page_shows_the_disclosed_state_and_prefills_the_next_bid(login, api, reverse_auction):
    assert api("supplier2").post(f"/api/v1/rfqs/{reverse_auction}/bids/", {"amount": "9500.00"},
                                 format="json").status_code == 201
    response = page(login("supplier1"), reverse_auction)
    assert response.context["state"]["leading_bid"] == "9500.00"
    assert response.context["bid_form"].initial["amount"] == Decimal("9400.00")
    content = response.content.decode()
    assert 'data-testid="leading-bid">USD 9,500.00<' in content
    assert 'value="9400.00"' in content and "data-countdown=" in content
    assert "Harbour Chandlers" not in content  # the other bidder stays unnamed


def test_no_negative_next_bid_is_suggested_when_none_can_beat_the_best(login, api, demo):
    """Issue 11, finding 9: after a bid below the decrement the page said "Bid at most -0.50 USD"."""
    from tests.engine.helpers import reverse_auction as open_reverse_auction

    rfq = open_reverse_auction(demo, starting_price=None, minimum_decrement="100.00")
    assert api("supplier2").post(f"/api/v1/rfqs/{rfq}/bids/", {"amount": "60.00"}, format="json").status_code == 201
    response = page(login("supplier1"), rfq)
    content = response.content.decode()
    assert response.context["state"].get("minimum_next_bid") is None
    assert "No bid can beat the leading bid by the minimum decrement any more." in content
    assert "-" + "40" not in content and "No bids yet: any positive amount" not in content


def test_hidden_figures_stay_hidden(login, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1, 2), reserve_price={"enabled": False}, auction={
        "type": "REVERSE_AUCTION", "settings": {"show_leading_bid": False, "show_ranking": False,
                                                "show_bid_count": False}})
    content = page(login("supplier1"), rfq_id).content.decode()
    assert 'data-testid="leading-bid"' not in content and 'data-testid="your-rank"' not in content
    assert 'data-state="bid_count"' not in content


def test_place_and_withdraw_reverse_bids(login, reverse_auction):
    client = login("supplier1")
    response = bid(client, reverse_auction, {"amount": "9500.00"}, follow=True)
    assert flashes(response) == ["Your bid of USD 9,500.00 is in. You are ranked 1."]
    too_close = bid(client, reverse_auction, {"amount": "9450.00"})
    assert [p["rule"] for p in too_close.context["problems"]] == ["minimum_decrement"]
    assert too_close.context["bid_form"].errors["amount"][0].startswith("Bid at most USD 9,400.00")
    assert Bid.objects.filter(rfq_id=reverse_auction).count() == 1
    latest = Bid.objects.get(rfq_id=reverse_auction)
    assert page(client, reverse_auction).context["withdrawals_left"] == 3
    withdrawn = client.post(reverse("supplier-rfq-bid-withdraw", args=[reverse_auction, latest.pk]), follow=True)
    assert flashes(withdrawn) == ["Your bid of USD 9,500.00 is withdrawn."]
    latest.refresh_from_db()
    assert latest.status == BidStatus.WITHDRAWN
    assert withdrawn.context["withdrawals_left"] == 2
    again = client.post(reverse("supplier-rfq-bid-withdraw", args=[reverse_auction, latest.pk]), follow=True)
    assert flashes(again) == ["Only your latest standing bid can be withdrawn."]


def test_a_bid_above_the_ceiling_is_refused(login, reverse_auction):
    response = bid(login("supplier1"), reverse_auction, {"amount": "12000"})
    assert [p["message"] for p in response.context["problems"]] == [
        "Bids may not exceed the starting price of USD 10,000.00."]
    assert not Bid.objects.exists()


def test_a_malformed_amount_is_refused_by_the_rule_not_a_500(login, reverse_auction):
    response = bid(login("supplier1"), reverse_auction, {"amount": "lots"})
    assert response.status_code == 200
    assert response.context["bid_form"].errors["amount"] == [
        "Not a number in your format. Type 48,500.00 — comma for thousands, point for decimals (at most 2)."]
    assert not Bid.objects.exists()


# --- Who may bid ------------------------------------------------------------------------------------

def test_only_invited_suppliers_bid_through_the_page(login, sealed):
    data = quote(sealed, "10", "10")
    assert bid(login("supplier4"), sealed, data).status_code == 404  # not invited
    assert bid(login("buyer"), sealed, data).status_code == 403
    assert bid(login("buyer2"), sealed, data).status_code == 404
    assert bid(login(None), sealed, data).status_code == 302
    assert login("supplier1").get(reverse("supplier-rfq-bid", args=[sealed])).status_code == 405
    assert not Bid.objects.exists()


def test_withdrawing_someone_elses_bid_is_refused(login, api, reverse_auction):
    other = api("supplier2").post(f"/api/v1/rfqs/{reverse_auction}/bids/", {"amount": "9500.00"}, format="json")
    response = login("supplier1").post(reverse("supplier-rfq-bid-withdraw", args=[reverse_auction,
                                                                                  other.json()["id"]]), follow=True)
    assert flashes(response) == ["Bid not found."]
    assert Bid.objects.get(pk=other.json()["id"]).status == BidStatus.ACCEPTED


def test_warnings_come_with_an_accepted_bid(login, api, reverse_auction):
    assert api("supplier2").post(f"/api/v1/rfqs/{reverse_auction}/bids/", {"amount": "9500.00"},
                                 format="json").status_code == 201
    response = bid(login("supplier1"), reverse_auction, {"amount": "6000.00"}, follow=True)
    assert flashes(response) == ["Your bid of USD 6,000.00 is in. You are ranked 1.",
                                 "Your bid is 37% below the current best; check it is right."]
    assert Bid.objects.filter(rfq_id=reverse_auction, amount=6000).exists()


def test_a_declined_supplier_sees_why_it_cannot_bid(login, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2))
    invitation = demo.supplier(1).invitations.get(rfq_id=rfq_id)
    login("supplier1").post(reverse("supplier-invitation-decline", args=[invitation.pk]), {"reason": "No stock"})
    response = page(login("supplier1"), rfq_id)
    assert not response.context["bidding_open"]
    assert response.context["bidding_closed_reason"] == "You declined this invitation."
    refused = bid(login("supplier1"), rfq_id, quote(rfq_id, "10", "10"))
    assert [p["rule"] for p in refused.context["problems"]] == ["supplier_invited"]
    assert "Accept the invitation to this RFQ before bidding." in refused.content.decode()


def test_a_late_reverse_bid_shows_why(login, reverse_auction):
    move_deadline_into_past(reverse_auction)
    response = bid(login("supplier1"), reverse_auction, {"amount": "9000.00"})
    content = response.content.decode()
    assert "Your bid was not accepted" in content and "The bidding deadline has passed." in content
    assert not Bid.objects.exists()


# --- Live pages: rendered for the page's script to follow pause, resume and close --------------

def test_a_paused_reverse_page_keeps_its_form_disabled_for_the_resume(login, api, reverse_auction):
    assert api("buyer").post(f"/api/v1/rfqs/{reverse_auction}/pause/", {}, format="json").status_code == 200
    client = login("supplier1")
    response = page(client, reverse_auction)
    html = response.content.decode()
    assert 'data-testid="bid-form"' in html and '<fieldset data-live-enabled="open" disabled>' in html
    assert 'data-about="paused"' in html and "Bidding is paused by the buyer." in html
    assert 'data-live-badge>Paused<' in html and 'data-testid="countdown"' in html
    state = response.context["live_state"]  # what the script starts from: the /state/ object
    assert state["status"] == "paused" and state["paused_at"] is not None
    assert 'data-live-page="supplier"' in html and 'id="live-state"' in html

    assert api("buyer").post(f"/api/v1/rfqs/{reverse_auction}/resume/", {}, format="json").status_code == 200
    html = page(client, reverse_auction).content.decode()
    assert '<fieldset data-live-enabled="open">' in html and "Bidding is paused by the buyer." not in html


def test_a_paused_sealed_page_keeps_its_quote_form_and_countdown(login, api, sealed):
    assert api("buyer").post(f"/api/v1/rfqs/{sealed}/pause/", {}, format="json").status_code == 200
    html = page(login("supplier1"), sealed).content.decode()
    assert "data-quote-form" in html and '<fieldset data-live-enabled="open" disabled>' in html
    assert 'data-testid="countdown"' in html and 'data-live-page="supplier"' in html


def test_only_a_taking_part_supplier_gets_the_live_page(login, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1,))
    assert 'data-live-page' not in page(login("supplier2"), rfq_id).content.decode()
    assert 'data-live-page="supplier"' in page(login("supplier1"), rfq_id).content.decode()
