"""Buyer pages: who may see and act on what, and that each page does its one job (the picker,
publishing and transitions: test_pages_transitions.py)."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from rfqs.models import RFQ
from tests.factories import published_rfq

from .pages import flashes, rfq_form, seeded

# --- RFQ list -----------------------------------------------------------------------------

def test_rfq_list_shows_own_organisation_only(login):
    response = login("buyer").get(reverse("buyer-rfq-list"))
    assert response.status_code == 200
    assert b"Fresh provisions for MV Blue Horizon" in response.content
    assert b"Safety gear for MT Nordic Star" not in response.content  # buyer2's RFQ


def test_rfq_list_filters_by_status(login):
    response = login("buyer").get(reverse("buyer-rfq-list"), {"status": "draft"})
    titles = [rfq.title for rfq in response.context["rfqs"]]
    assert titles == ["Main engine spare parts — MV Blue Dolphin"]
    assert b'class="badge s-draft"' in response.content


def test_rfq_list_counts_invited_and_accepted(login):
    response = login("buyer").get(reverse("buyer-rfq-list"))
    row = next(r for r in response.context["rfqs"] if r.title == "Fresh provisions for MV Blue Horizon")
    assert (row.invited_count, row.accepted_count) == (3, 2)


def test_rfq_list_needs_sign_in_and_is_not_for_suppliers(login):
    anonymous = login(None).get(reverse("buyer-rfq-list"))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    assert login("supplier1").get(reverse("buyer-rfq-list")).status_code == 403


def test_compliance_reads_every_rfq_without_actions(login):
    client = login("compliance")
    assert b"Safety gear for MT Nordic Star" in client.get(reverse("buyer-rfq-list")).content
    rfq = seeded("Main engine spare parts — MV Blue Dolphin")
    detail = client.get(reverse("buyer-rfq-detail", args=[rfq.pk]))
    assert detail.status_code == 200 and detail.context["actions"] == []
    assert client.get(reverse("buyer-rfq-edit", args=[rfq.pk])).status_code == 403
    assert client.post(reverse("buyer-rfq-publish", args=[rfq.pk])).status_code == 403
    assert seeded(rfq.title).status == "draft"


# --- Tenancy and roles ---------------------------------------------------------------------

@pytest.mark.parametrize("name", ["buyer-rfq-detail", "buyer-rfq-edit", "buyer-rfq-suppliers"])
def test_other_tenants_buyer_gets_404(login, name):
    rfq = seeded("Main engine spare parts — MV Blue Dolphin")
    assert login("buyer2").get(reverse(name, args=[rfq.pk])).status_code == 404


@pytest.mark.parametrize("action", ["publish", "cancel", "pause", "close", "evaluate"])
def test_other_tenants_buyer_cannot_run_transitions(login, action):
    rfq = seeded("Main engine spare parts — MV Blue Dolphin")
    response = login("buyer2").post(reverse(f"buyer-rfq-{action}", args=[rfq.pk]), {"reason": "mine now"})
    assert response.status_code == 404
    assert seeded(rfq.title).status == "draft"


def test_suppliers_are_kept_off_buyer_pages(login):
    rfq = seeded("Fresh provisions for MV Blue Horizon")  # supplier1 invited, supplier4 not
    assert login("supplier4").get(reverse("buyer-rfq-detail", args=[rfq.pk])).status_code == 404
    assert login("supplier1").get(reverse("buyer-rfq-detail", args=[rfq.pk])).status_code == 403
    assert login("supplier1").get(reverse("buyer-rfq-create")).status_code == 403
    assert login("supplier1").get(reverse("buyer-rfq-suppliers", args=[rfq.pk])).status_code == 403
    assert login("supplier1").post(reverse("buyer-rfq-pause", args=[rfq.pk])).status_code == 403


def test_missing_rfq_is_404(login):
    assert login("buyer").get(reverse("buyer-rfq-detail", args=[999999])).status_code == 404


# --- Create and edit -------------------------------------------------------------------------

def test_create_page_offers_the_templates(login):
    response = login("buyer").get(reverse("buyer-rfq-create"))
    assert response.status_code == 200
    for name in (b"Commodity purchase", b"Technical equipment", b"Strategic sourcing", b"Urgent requirement",
                 b"Bundled supply"):
        assert name in response.content


def test_create_rfq_with_line_items_and_adjusted_settings(login):
    response = login("buyer").post(reverse("buyer-rfq-create"), rfq_form())
    rfq = RFQ.objects.get(title="Stores for MV Page Test")
    assert response.status_code == 302 and response["Location"] == reverse("buyer-rfq-detail", args=[rfq.pk])
    assert rfq.status == "draft" and rfq.template == "commodity_purchase"
    assert rfq.auction_type == "REVERSE_AUCTION"
    assert rfq.auction_settings["starting_price"] == "12000"
    assert (rfq.auction_settings["minimum_decrement"], rfq.auction_settings["decrement_type"]) == ("50", "AMOUNT")
    assert rfq.reserve_enabled and rfq.reserve_amount == Decimal("11000")
    assert rfq.tie_breaking == {"criteria": ["earliest_submission", "higher_tier"], "final_fallback": "random"}
    items = [(li.position, li.description, li.quantity, li.impa_code) for li in rfq.line_items.all()]
    assert items == [(1, "Rice, 25 kg bag", Decimal("40"), "000101"), (2, "Flour, 10 kg bag", Decimal("20.5"), "")]


def test_create_sealed_bid_with_chosen_pricing(login):
    login("buyer").post(reverse("buyer-rfq-create"), rfq_form(
        template="strategic_sourcing", sb_pricing="SECOND_PRICE", sb_minimum_bidders="3",
        sb_allow_multiple_submissions=None))
    rfq = RFQ.objects.get(title="Stores for MV Page Test")
    assert rfq.auction_type == "SEALED_BID"
    settings = rfq.auction_settings
    assert (settings["pricing"], settings["minimum_bidders"], settings["allow_multiple_submissions"]) == (
        "SECOND_PRICE", 3, False)


def test_mechanism_messages_show_on_their_fields(login):
    response = login("buyer").post(reverse("buyer-rfq-create"), rfq_form(
        rev_decrement_type="PERCENTAGE", rev_minimum_decrement="80"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["rev_minimum_decrement"] == ["A percentage decrement must be above 0 and at most 50."]
    assert b"A percentage decrement must be above 0 and at most 50." in response.content
    assert not RFQ.objects.filter(title="Stores for MV Page Test").exists()


def test_sealed_bid_rule_shows_on_its_field(login):
    response = login("buyer").post(reverse("buyer-rfq-create"), rfq_form(
        template="urgent_requirement", sb_pricing="SECOND_PRICE", sb_minimum_bidders="1"))
    assert response.context["form"].errors["sb_minimum_bidders"] == [
        "Second-price needs at least 2 bidders to set the price."]


def test_line_item_errors_show_on_their_row(login):
    response = login("buyer").post(reverse("buyer-rfq-create"), rfq_form(
        **{"items-1-quantity": "0", "items-0-impa_code": "12"}))
    assert response.status_code == 200
    rows = response.context["items"].forms
    assert rows[0].errors["impa_code"] == ["An IMPA code has six digits."]
    assert rows[1].errors["quantity"] == ["The quantity must be greater than zero."]


def test_deadline_and_reserve_problems_are_explained(login):
    past = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = login("buyer").post(reverse("buyer-rfq-create"), rfq_form(
        bidding_deadline=past, reserve_amount="", currency="XYZ"))
    errors = response.context["form"].errors
    assert errors["bidding_deadline"] == ["The bidding deadline must be at least a minute from now."]
    assert errors["currency"] == ['"XYZ" is not an ISO 4217 currency code.']
    assert errors["reserve_amount"] == ["An enabled reserve needs an amount."]
    assert not RFQ.objects.filter(title="Stores for MV Page Test").exists()


def test_removed_and_blank_rows_are_not_saved(login):
    login("buyer").post(reverse("buyer-rfq-create"), rfq_form(**{
        "items-TOTAL_FORMS": "4", "items-1-DELETE": "on",
        "items-2-description": "", "items-2-quantity": "", "items-2-unit": "",  # a blank added row
        "items-3-description": "Sugar", "items-3-quantity": "5", "items-3-unit": "kg"}))
    rfq = RFQ.objects.get(title="Stores for MV Page Test")
    assert [li.description for li in rfq.line_items.all()] == ["Rice, 25 kg bag", "Sugar"]


def test_at_least_one_line_item(login):
    response = login("buyer").post(reverse("buyer-rfq-create"), rfq_form(**{
        "items-0-DELETE": "on", "items-1-DELETE": "on"}))
    assert response.status_code == 200
    assert "Add at least one line item." in response.context["items"].non_form_errors()


def test_edit_a_draft(login):
    rfq = seeded("Main engine spare parts — MV Blue Dolphin")
    client = login("buyer")
    page = client.get(reverse("buyer-rfq-edit", args=[rfq.pk]))
    assert page.status_code == 200 and page.context["form"]["template"].value() == "technical_equipment"
    response = client.post(reverse("buyer-rfq-edit", args=[rfq.pk]), rfq_form(
        title="Main engine spares (revised)", template="technical_equipment", ma_price_weight="60",
        category="engine", **{"items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "1"}))
    assert response.status_code == 302
    rfq.refresh_from_db()
    assert rfq.title == "Main engine spares (revised)"
    assert rfq.auction_settings["price_weight"] == 60
    assert len(rfq.auction_settings["criteria"]) == 3  # the template's criteria survive the edit
    assert rfq.line_items.count() == 1


def test_saving_a_draft_keeps_the_seconds_of_times_it_shows_unchanged(login):
    """The form's time inputs hold minutes: a time left as shown keeps its seconds, a changed one
    is taken as typed."""
    rfq = seeded("Main engine spare parts — MV Blue Dolphin")
    deadline = (timezone.now() + timedelta(days=3)).replace(second=42, microsecond=123000)
    RFQ.objects.filter(pk=rfq.pk).update(bidding_deadline=deadline, original_deadline=deadline)
    client = login("buyer")
    form = {"title": "Main engine spares (revised)", "template": "technical_equipment", "category": "engine",
            "bidding_deadline": deadline.strftime("%Y-%m-%dT%H:%M"), "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "1"}
    assert client.post(reverse("buyer-rfq-edit", args=[rfq.pk]), rfq_form(**form)).status_code == 302
    assert RFQ.objects.get(pk=rfq.pk).bidding_deadline == deadline
    later = deadline.replace(second=0, microsecond=0) + timedelta(hours=1)
    form["bidding_deadline"] = later.strftime("%Y-%m-%dT%H:%M")
    assert client.post(reverse("buyer-rfq-edit", args=[rfq.pk]), rfq_form(**form)).status_code == 302
    assert RFQ.objects.get(pk=rfq.pk).bidding_deadline == later


def test_only_drafts_can_be_edited(login):
    rfq = seeded("Fresh provisions for MV Blue Horizon")
    response = login("buyer").get(reverse("buyer-rfq-edit", args=[rfq.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("buyer-rfq-detail", args=[rfq.pk])
    assert any("Only a draft can be edited" in m for m in flashes(response))


# --- Detail ----------------------------------------------------------------------------------

def test_detail_shows_items_settings_invitations_and_timeline(login):
    rfq = seeded("Liferaft annual servicing")
    response = login("buyer").get(reverse("buyer-rfq-detail", args=[rfq.pk]))
    content = response.content.decode()
    assert "Liferaft service, 25-person" in content
    assert "One firm quote per supplier" in content  # sealed-bid settings of the urgent template
    assert "Baltic Ship Stores" in content and "Accepted" in content
    labels = [entry.label for entry in response.context["timeline"]]
    assert labels == ["RFQ created as a draft", "Published; invitations sent", "Bidding opened", "Cancelled"]
    assert "Vessel schedule changed" in content


def test_buyer_sees_its_hidden_reserve(login, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2))
    response = login("buyer").get(reverse("buyer-rfq-detail", args=[rfq_id]))
    assert response.context["reserve_visible"] and "USD 9,000.00" in response.content.decode()


def test_transition_buttons_follow_the_state(login):
    draft = seeded("Main engine spare parts — MV Blue Dolphin")
    live = seeded("Fresh provisions for MV Blue Horizon")
    client = login("buyer")
    assert [a["name"] for a in client.get(reverse("buyer-rfq-detail", args=[draft.pk])).context["actions"]] == [
        "publish"]
    response = client.get(reverse("buyer-rfq-detail", args=[live.pk]))
    actions = response.context["actions"]
    # While bidding runs every live button is rendered, shown only in its status (the page
    # swaps Pause and Resume without a reload): here Pause and Close, Resume hidden.
    assert [(a["name"], a["when"]) for a in actions] == [("pause", "open"), ("resume", "paused"), ("close", "open")]
    html = response.content.decode()
    assert re.search(r'data-testid="action-resume" data-live-when="paused" hidden', html)
    assert re.search(r'data-testid="action-pause" data-live-when="open">', html)
    close = next(a for a in actions if a["name"] == "close")
    assert close["blockers"] and "cannot be closed early" in close["blockers"][0]


# --- Create a combinatorial RFQ ----------------------------------------------------------------

def test_create_a_combinatorial_rfq_from_the_bundled_supply_template(login):
    page = login("buyer").get(reverse("buyer-rfq-create")).content.decode()
    assert "Bundled supply" in page and 'data-settings-for="COMBINATORIAL"' in page
    response = login("buyer").post(reverse("buyer-rfq-create"), rfq_form(
        title="Bundled stores", template="bundled_supply", cb_pricing="VCG", cb_max_bundles_per_quote="4",
        cb_minimum_bidders="2", cb_allow_multiple_submissions="on", **{"items-1-quantity": "20"}))
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    rfq = RFQ.objects.get(title="Bundled stores")
    assert (rfq.auction_type, rfq.template) == ("COMBINATORIAL", "bundled_supply")
    assert rfq.auction_settings == {"allow_multiple_submissions": True, "minimum_bidders": 2, "pricing": "VCG",
                                    "max_bundles_per_quote": 4, "require_signed_bids": False}
    edit = login("buyer").get(reverse("buyer-rfq-edit", args=[rfq.pk])).content.decode()
    assert 'name="cb_max_bundles_per_quote" value="4"' in edit


def test_a_combinatorial_setting_out_of_range_is_refused_on_its_input(login):
    response = login("buyer").post(reverse("buyer-rfq-create"), rfq_form(
        title="Bundled stores", template="bundled_supply", cb_pricing="FIRST_PRICE", cb_max_bundles_per_quote="0",
        **{"items-1-quantity": "20"}))
    assert response.status_code == 200 and not RFQ.objects.filter(title="Bundled stores").exists()
    assert response.context["form"].errors["cb_max_bundles_per_quote"]
