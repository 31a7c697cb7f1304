"""product.md §3: the RFQ state machine over the API (create, edit, every transition)."""
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from rfqs.models import RFQ
from tests.factories import move_deadline_into_past, published_rfq, rfq_payload

from .helpers import (
    RFQS,
    assert_error,
    audit_count,
    create_draft,
    ok,
    parse_time,
    rfq_in_state,
    rfq_status,
    stored_counts,
    transition,
)

# --- Create and edit ------------------------------------------------------------------------

def test_create_returns_the_full_representation(buyer, demo):
    payload = rfq_payload()
    response = buyer.post(RFQS, payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    rfq = RFQ.objects.get(pk=body["id"])
    assert body["status"] == "draft"
    assert body["reference"] == f"RFQ-{rfq.pk:06d}"
    for name in ("title", "description", "category", "currency", "delivery_port", "delivery_date"):
        assert body[name] == payload[name], name
    assert body["bidding_opens_at"] is None
    assert parse_time(body["bidding_deadline"]) == parse_time(payload["bidding_deadline"])
    assert body["original_deadline"] == body["bidding_deadline"]
    assert body["extensions"] == 0
    assert body["buyer_organization"] == {"id": demo.user("buyer").buyer_organization_id,
                                          "name": "Blue Anchor Shipping"}
    ids = [item["id"] for item in body["line_items"]]
    assert ids == list(rfq.line_items.order_by("position").values_list("pk", flat=True))
    assert [(i["position"], i["description"], i["quantity"], i["unit"], i["impa_code"]) for i in body["line_items"]] \
        == [(1, "Rice 25kg", "40", "bag", "000101"), (2, "Flour 10kg", "20", "bag", "")]
    # Omitted settings take the sealed-bid defaults.
    assert body["auction"]["type"] == "SEALED_BID"
    assert body["auction"]["settings"] == {"allow_multiple_submissions": True, "reveal_bids_to_suppliers": False,
                                           "minimum_bidders": 2, "pricing": "FIRST_PRICE",
                                           "allow_partial_bids": False, "award_mode": "WHOLE",
                                           "max_suppliers_per_line": None, "max_suppliers": None,
                                           "require_signed_bids": False}
    assert body["reserve_price"]["enabled"] is True and body["reserve_price"]["amount"] == "9000.00"
    assert body["tie_breaking"] == payload["tie_breaking"]
    # The creation is audited with the configuration.
    event = AuditEvent.objects.get(rfq_id=rfq.pk)
    assert (event.type, event.seq, event.actor_name) == ("rfq.created", 1, "buyer")
    assert event.payload["auction_type"] == "SEALED_BID"
    assert len(event.payload["line_items"]) == 2


def test_template_defaults_fill_in_omitted_settings(buyer):
    response = buyer.post(RFQS, rfq_payload(auction={"template": "commodity_purchase",
                                                     "settings": {"max_extensions": 4}}), format="json")
    assert response.status_code == 201, response.content
    auction = response.json()["auction"]
    assert auction["type"] == "REVERSE_AUCTION"
    assert auction["template"] == "commodity_purchase"
    settings = auction["settings"]
    assert settings["decrement_type"] == "PERCENTAGE"  # the template's
    assert settings["minimum_decrement"] == "0.5"  # the template's
    assert settings["max_extensions"] == 4  # the buyer's
    assert settings["extension_trigger_minutes"] == 5  # the mechanism's default
    templates = {t["id"]: t for t in buyer.get("/api/v1/auction-templates/").json()}
    assert set(templates) == {"commodity_purchase", "technical_equipment", "strategic_sourcing",
                              "urgent_requirement", "bundled_supply"}
    assert {**templates["commodity_purchase"]["settings"], "max_extensions": 4} == settings


def test_reverse_auction_defaults(buyer):
    response = buyer.post(RFQS, rfq_payload(auction={"type": "REVERSE_AUCTION", "settings": {
        "starting_price": "12000.00"}}), format="json")
    assert response.status_code == 201, response.content
    settings = response.json()["auction"]["settings"]
    assert settings["starting_price"] == "12000.00"
    assert settings["minimum_decrement"] == "1.00"
    assert (settings["extension_trigger_minutes"], settings["extension_duration_minutes"],
            settings["max_extensions"]) == (5, 3, 10)


def test_template_and_type_must_agree(buyer):
    before = stored_counts()
    response = buyer.post(RFQS, rfq_payload(auction={"type": "SEALED_BID", "template": "commodity_purchase"}),
                          format="json")
    assert_error(response, 400, "invalid", contains="Commodity purchase")
    assert stored_counts() == before


def test_patch_a_draft_replaces_line_items(buyer, demo):
    rfq_id = create_draft(demo)
    old_ids = set(RFQ.objects.get(pk=rfq_id).line_items.values_list("pk", flat=True))
    events = audit_count(rfq_id)
    response = buyer.patch(f"{RFQS}{rfq_id}/", {
        "title": "Provisions, revised",
        "line_items": [{"description": "Coffee beans 1kg", "quantity": "12.5", "unit": "kg"}]}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Provisions, revised"
    assert [(i["description"], i["quantity"], i["position"]) for i in body["line_items"]] \
        == [("Coffee beans 1kg", "12.5", 1)]
    assert body["line_items"][0]["id"] not in old_ids
    assert body["description"] == "Monthly stores."  # untouched
    assert RFQ.objects.get(pk=rfq_id).line_items.count() == 1
    assert audit_count(rfq_id) == events + 1
    assert AuditEvent.objects.filter(rfq_id=rfq_id).latest("seq").type == "rfq.updated"


def test_patch_a_new_deadline_moves_the_original_deadline_too(buyer, demo):
    rfq_id = create_draft(demo)
    deadline = (timezone.now() + timedelta(days=4)).replace(microsecond=0)
    body = buyer.patch(f"{RFQS}{rfq_id}/", {"bidding_deadline": deadline.isoformat()}, format="json").json()
    assert parse_time(body["bidding_deadline"]) == parse_time(body["original_deadline"]) == deadline


def test_patch_is_validated_like_create(buyer, demo):
    rfq_id = create_draft(demo)
    before = stored_counts()
    assert_error(buyer.patch(f"{RFQS}{rfq_id}/", {"reserve_price": {"enabled": True, "amount": 10}}, format="json"),
                 400)
    assert_error(buyer.patch(f"{RFQS}{rfq_id}/", {"currency": "XYZ"}, format="json"), 400)
    assert_error(buyer.patch(f"{RFQS}{rfq_id}/", {"line_items": "none"}, format="json"), 400)
    assert_error(buyer.patch(f"{RFQS}{rfq_id}/", [], format="json"), 400)
    assert stored_counts() == before


def test_patch_of_the_currency_alone_must_fit_the_stored_amounts(buyer, demo):
    reserve = {"enabled": True, "amount": "9000.50", "visibility": "hidden"}
    rfq_id = create_draft(demo, reserve_price=reserve)
    events = audit_count()
    error = assert_error(buyer.patch(f"{RFQS}{rfq_id}/", {"currency": "JPY"}, format="json"), 400)
    assert "JPY amounts have at most 0" in " ".join(error["fields"]["reserve_price.amount"])
    reverse = create_draft(demo, reserve_price={"enabled": False},
                           auction={"type": "REVERSE_AUCTION", "settings": {"starting_price": "500.25"}})
    error = assert_error(buyer.patch(f"{RFQS}{reverse}/", {"currency": "JPY"}, format="json"), 400)
    assert "auction.settings.starting_price" in error["fields"]
    assert RFQ.objects.get(pk=rfq_id).currency == "USD" and RFQ.objects.get(pk=reverse).currency == "USD"
    assert audit_count() == events + 1  # only the second draft's creation
    # A whole amount fits any currency.
    whole = create_draft(demo, reserve_price={"enabled": True, "amount": "9000.00", "visibility": "hidden"})
    response = buyer.patch(f"{RFQS}{whole}/", {"currency": "JPY"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["reserve_price"]["amount"].split(".")[0] == "9000"


@pytest.mark.parametrize("state", ["published", "open", "paused", "closed", "cancelled"])
def test_patch_after_draft_is_409(buyer, demo, state):
    rfq_id = rfq_in_state(demo, state)
    before = stored_counts()
    response = buyer.patch(f"{RFQS}{rfq_id}/", {"title": "Changed after the fact"}, format="json")
    assert_error(response, 409, "invalid_transition", contains="only a draft")
    assert stored_counts() == before


# --- Publish ------------------------------------------------------------------------------

def assert_publish_refused(client, rfq_id, reason):
    before, events = stored_counts(), audit_count(rfq_id)
    error = assert_error(transition(client, rfq_id, "publish"), 409, "invalid_transition", contains=reason)
    assert rfq_status(rfq_id) == "draft"
    assert audit_count(rfq_id) == events
    assert stored_counts() == before
    return error


def test_publish_needs_a_line_item(buyer, demo):
    rfq_id = create_draft(demo, suppliers=(1, 2), line_items=[])
    assert_publish_refused(buyer, rfq_id, "at least one line item")


def test_publish_needs_the_minimum_of_invited_suppliers(buyer, demo):
    rfq_id = create_draft(demo, suppliers=(1,))
    assert_publish_refused(buyer, rfq_id, "At least 2 suppliers must be invited (currently 1)")


def test_publish_needs_the_auctions_minimum_bidders(buyer, demo):
    rfq_id = create_draft(demo, suppliers=(1, 2), auction={"template": "strategic_sourcing"})
    assert_publish_refused(buyer, rfq_id, "At least 3 suppliers must be invited (currently 2)")


def test_publish_needs_every_pending_invitee_still_eligible(buyer, demo):
    """product.md §2: only KYC-verified suppliers qualified for the category are invited. A KYC
    that lapsed or a category removed after the draft's invitation stops the publish, by name."""
    from suppliers.models import KycStatus, SupplierCompany

    rfq_id = create_draft(demo, suppliers=(1, 2, 3))
    SupplierCompany.objects.filter(pk=demo.supplier(1).pk).update(kyc_status=KycStatus.EXPIRED)
    demo.supplier(2).categories.remove(RFQ.objects.get(pk=rfq_id).category)
    error = assert_publish_refused(buyer, rfq_id, f"{demo.supplier(1).name} can no longer be invited: its KYC")
    assert f"{demo.supplier(2).name} can no longer be invited: it is not qualified" in error["message"]
    assert demo.supplier(3).name not in error["message"]


def test_publish_needs_a_future_deadline(buyer, demo):
    rfq_id = create_draft(demo, suppliers=(1, 2))
    move_deadline_into_past(rfq_id)
    assert_publish_refused(buyer, rfq_id, "deadline must be in the future")


def test_publish_lists_every_reason(buyer, demo):
    rfq_id = create_draft(demo, line_items=[])
    move_deadline_into_past(rfq_id)
    error = assert_publish_refused(buyer, rfq_id, "line item")
    assert "future" in error["message"] and "suppliers must be invited" in error["message"]


def test_publish_opens_at_once_and_emails_each_invited_supplier(buyer, demo, django_capture_on_commit_callbacks):
    rfq_id = create_draft(demo, suppliers=(1, 2))
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        body = ok(transition(buyer, rfq_id, "publish"), "open")
    assert body["published_at"] and body["opened_at"]
    invitations = {inv.supplier_id: inv for inv in RFQ.objects.get(pk=rfq_id).invitations.all()}
    assert {inv.status for inv in invitations.values()} == {"SENT"}
    assert len(mail.outbox) == 2
    for n in (1, 2):
        company = demo.supplier(n)
        invitation = invitations[company.pk]
        [message] = [m for m in mail.outbox if f"supplier{n}@quayside.example" in m.to]
        assert company.contact_email in message.to
        assert f"/supplier/invitations/{invitation.pk}/" in message.body
        assert message.body.count("/supplier/invitations/") == 1
        assert f"RFQ-{rfq_id:06d}" in message.subject
    types = list(AuditEvent.objects.filter(rfq_id=rfq_id).order_by("seq").values_list("type", flat=True))
    assert types == ["rfq.created", "invitation.created", "invitation.created", "rfq.publish",
                     "invitation.sent", "invitation.sent", "rfq.open"]


def test_no_mail_leaves_before_the_transaction_commits(buyer, demo, django_capture_on_commit_callbacks):
    rfq_id = create_draft(demo, suppliers=(1, 2))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ok(transition(buyer, rfq_id, "publish"), "open")
    assert mail.outbox == []
    # The others announce the opening to live clients and (with a broker) send the close job.
    mails = [c for c in callbacks if "send_mail" in getattr(c, "__qualname__", "")]
    assert len(mails) == 2


def test_publish_with_a_future_opening_waits_for_it(buyer, demo):
    opens = timezone.now() + timedelta(hours=2)
    rfq_id = published_rfq(demo, bidding_opens_at=opens.isoformat())
    assert rfq_status(rfq_id) == "published"
    events = audit_count(rfq_id)
    assert_error(transition(buyer, rfq_id, "open"), 409, "invalid_transition", contains="Bidding opens at")
    assert rfq_status(rfq_id) == "published" and audit_count(rfq_id) == events
    RFQ.objects.filter(pk=rfq_id).update(bidding_opens_at=timezone.now() - timedelta(seconds=1))
    body = ok(transition(buyer, rfq_id, "open"), "open")
    assert body["opened_at"]
    assert AuditEvent.objects.filter(rfq_id=rfq_id).latest("seq").type == "rfq.open"


def test_open_after_the_deadline_passed_is_409(buyer, demo):
    rfq_id = published_rfq(demo, bidding_opens_at=(timezone.now() + timedelta(hours=2)).isoformat())
    RFQ.objects.filter(pk=rfq_id).update(bidding_opens_at=timezone.now() - timedelta(hours=1))
    move_deadline_into_past(rfq_id)
    assert_error(transition(buyer, rfq_id, "open"), 409, "invalid_transition", contains="deadline has passed")
    assert rfq_status(rfq_id) == "published"


def test_editing_anything_past_draft_is_a_409_whatever_the_body(buyer, demo):
    """api.md: PATCH is for drafts only, else 409 — checked before the body, so a bad body on a
    published RFQ is not answered as if it could be fixed."""
    rfq_id = published_rfq(demo)
    past = (timezone.now() - timedelta(days=1)).isoformat()
    for body in ({"title": "x"}, {"bidding_deadline": past}, {"currency": "XYZ", "line_items": "none"}):
        assert_error(buyer.patch(f"{RFQS}{rfq_id}/", body, format="json"), 409, "invalid_transition")
    assert RFQ.objects.get(pk=rfq_id).title != "x"
