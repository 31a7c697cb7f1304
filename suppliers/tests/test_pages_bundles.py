"""The supplier's bundle form for a COMBINATORIAL RFQ (product.md §7 "Bundle bids"): rows of
ticked line items and a total price, sent through the same parser and `bid_place` as the API;
the rules' refusals on the form; the supplier's own bundles shown back, sealed to others."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from auctions.models import Bid, BidStatus
from auctions.selectors import own_quote
from rfqs.models import RFQ
from tests.factories import published_rfq


def items(rfq_id: int) -> list[int]:
    return list(RFQ.objects.get(pk=rfq_id).line_items.values_list("pk", flat=True))  # rice, flour


def bundles(*rows, **extra) -> dict:
    """Form data: each row is (line item ids, price); other rows stay empty."""
    data = {"valid_until": "", "terms": "30 days net"}
    for row, (ids, price) in enumerate(rows):
        data[f"bundle_{row}_lines"] = [str(pk) for pk in ids]
        data[f"bundle_{row}_price"] = price
    return {**data, **extra}


def page(client, rfq_id):
    return client.get(reverse("supplier-rfq", args=[rfq_id]))


def bid(client, rfq_id, data, **kwargs):
    return client.post(reverse("supplier-rfq-bid", args=[rfq_id]), data, **kwargs)


@pytest.fixture
def combinatorial(demo):
    return published_rfq(demo, suppliers=(1, 2, 3), accept=(1, 2), reserve_price={"enabled": False},
                         auction={"type": "COMBINATORIAL", "settings": {"max_bundles_per_quote": 5}})


def test_the_bundle_form_is_offered_only_to_an_accepted_supplier_while_open(login, combinatorial):
    accepted = page(login("supplier1"), combinatorial)
    content = accepted.content.decode()
    assert accepted.context["bidding_open"] and 'data-bundle-form' in content
    assert content.count("data-bundle-row") == 5  # max_bundles_per_quote rows ...
    assert [row["hidden"] for row in accepted.context["bundle_rows"]] == [False] * 3 + [True] * 2  # ... 3 shown
    rice, flour = items(combinatorial)
    assert f'name="bundle_0_lines" value="{rice}"' in content and 'name="bundle_0_price"' in content
    assert "POST /api/v1/rfqs/" not in content  # no more "use the API"
    not_yet = page(login("supplier3"), combinatorial)  # invitation still SENT
    assert not not_yet.context["bidding_open"] and "data-bundle-form" not in not_yet.content.decode()
    assert page(login("supplier4"), combinatorial).status_code == 404  # not invited


def test_a_closed_rfq_shows_no_bundle_form(login, combinatorial):
    RFQ.objects.filter(pk=combinatorial).update(status="closed")
    response = page(login("supplier1"), combinatorial)
    assert not response.context["bidding_open"] and "data-bundle-form" not in response.content.decode()


def test_two_bundles_from_the_page_make_one_sealed_quote(login, combinatorial):
    rice, flour = items(combinatorial)
    client = login("supplier1")
    # Rows 1 and 3 used, row 2 left empty: the empty row is skipped.
    data = bundles(([rice, flour], "75.00"), ([], ""), ([rice], "40.00"), valid_until="2030-01-31")
    response = bid(client, combinatorial, data, follow=True)
    assert [str(m) for m in response.context["messages"]][0].startswith("Bundle quote version 1 received: 2 bundles.")
    placed = Bid.objects.get(rfq_id=combinatorial)
    assert placed.is_sealed and placed.amount is None and placed.status == BidStatus.ACCEPTED
    quote = own_quote(placed)
    assert quote["bundles"] == [{"line_item_ids": [rice, flour], "price": Decimal("75.00")},
                                {"line_item_ids": [rice], "price": Decimal("40.00")}]
    assert quote["terms"] == "30 days net" and placed.items_quoted == 2
    content = response.content.decode()
    assert 'data-testid="current-bundles"' in content and "USD 75.00" in content and "USD 40.00" in content
    # The revision form starts from the current bundles.
    form = response.context["quote_form"]
    assert response.context["can_revise"]
    assert form.initial["bundle_0_lines"] == [str(rice), str(flour)] and form.initial["bundle_1_price"] == Decimal("40.00")
    revised = bid(client, combinatorial, bundles(([rice, flour], "70.00")), follow=True)
    assert "Bundle quote version 2 received: 1 bundle." in [str(m) for m in revised.context["messages"]][0]
    assert [(b.version, b.status) for b in Bid.objects.filter(rfq_id=combinatorial).order_by("version")] == [
        (1, BidStatus.SUPERSEDED), (2, BidStatus.ACCEPTED)]


def test_one_firm_quote_when_revisions_are_off(login, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1,), reserve_price={"enabled": False}, auction={
        "type": "COMBINATORIAL", "settings": {"allow_multiple_submissions": False}})
    client = login("supplier1")
    bid(client, rfq_id, bundles((items(rfq_id), "75.00")))
    response = page(client, rfq_id)
    assert not response.context["can_revise"] and "data-bundle-form" not in response.content.decode()
    assert "one firm quote per supplier" in response.content.decode()


def test_an_empty_bundle_is_refused_on_its_row(login, combinatorial):
    rice, flour = items(combinatorial)
    response = bid(login("supplier1"), combinatorial, bundles(([rice], "40.00"), ([], "35.00")))
    assert response.status_code == 200 and not Bid.objects.exists()
    problems = {p["rule"]: p["message"] for p in response.context["problems"]}
    assert problems == {"bundles_valid": "Bundle 2 is empty: it must name at least one line item."}
    form = response.context["quote_form"]
    assert form.errors["bundle_1_lines"] == ["Bundle 2 is empty: it must name at least one line item."]
    content = response.content.decode()
    assert "Your quote was not accepted" in content and "Bundles are well-formed" in content
    assert 'value="35.00"' in content  # what was typed stays


def test_duplicate_bundles_are_refused_with_the_rows_named(login, combinatorial):
    rice, flour = items(combinatorial)
    data = bundles(([rice, flour], "75.00"), ([], ""), ([flour, rice], "70.00"))
    response = bid(login("supplier1"), combinatorial, data)
    assert not Bid.objects.exists()
    assert [p["message"] for p in response.context["problems"]] == [
        "Bundle 3 offers the same line items as bundle 1."]
    assert "Bundle 3 offers the same line items as bundle 1." in response.content.decode()
    assert response.context["bundle_rows"][2]["hidden"] is False  # the refused row stays in sight


def test_a_bundle_without_a_price_or_nothing_at_all_is_refused_by_the_form(login, combinatorial):
    rice, _ = items(combinatorial)
    client = login("supplier1")
    response = bid(client, combinatorial, bundles(([rice], "")))
    assert response.context["quote_form"].errors["bundle_0_price"] == ["Enter the bundle's total price."]
    response = bid(client, combinatorial, bundles())
    assert response.context["quote_form"].non_field_errors() == [
        "Tick the line items of at least one bundle and enter its total price."]
    response = bid(client, combinatorial, bundles(([rice], "-5")))
    assert "Bundle 1 has price -5: a bundle price must be positive." in response.content.decode()
    assert not Bid.objects.exists()


def test_the_page_never_shows_another_suppliers_bundles(login, api, combinatorial):
    rice, flour = items(combinatorial)
    other = api("supplier2").post(f"/api/v1/rfqs/{combinatorial}/bids/", {"bundles": [
        {"line_item_ids": [rice, flour], "price": "777.77"}, {"line_item_ids": [flour], "price": "333.33"}]},
        format="json")
    assert other.status_code == 201, other.content
    mine = page(login("supplier1"), combinatorial)
    content = mine.content.decode()
    assert "777.77" not in content and "333.33" not in content and "777" not in content
    assert mine.context["latest"] is None and mine.context["current_bundles"] == []
    bid(login("supplier1"), combinatorial, bundles(([rice], "41.00")))
    theirs = page(login("supplier2"), combinatorial).content.decode()
    assert "41.00" not in theirs and "777.77" in theirs  # its own quote, nobody else's
    mine_bid = Bid.objects.exclude(pk=other.json()["id"]).get(rfq_id=combinatorial)
    assert own_quote(mine_bid)["total"] == Decimal("41.00")
