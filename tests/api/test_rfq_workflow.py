"""product.md §3: the RFQ state machine over the API (create, edit, every transition)."""
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from procurement.models import RFQ
from tests.factories import move_deadline_into_past, published_rfq, rfq_payload

from .helpers import (
    assert_error,
    audit_count,
    create_draft,
    place_bid,
    rfq_in_state,
    rfq_status,
    stored_counts,
)

RFQS = "/api/v1/rfqs/"


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def transition(client, rfq_id, name, body=None):
    return client.post(f"{RFQS}{rfq_id}/{name}/", body if body is not None else {}, format="json")


def ok(response, status="open"):
    assert response.status_code == 200, response.content
    assert response.json()["status"] == status, response.json()
    return response.json()


@pytest.fixture
def buyer(api):
    return api("buyer")


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
                                           "max_suppliers_per_line": None, "max_suppliers": None}
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


# --- Pause / resume -------------------------------------------------------------------------

def test_pause_and_resume_move_the_deadline_by_the_paused_time(buyer, demo):
    rfq_id = published_rfq(demo, accept=(1,))
    rfq = RFQ.objects.get(pk=rfq_id)
    deadline, version = rfq.bidding_deadline, rfq.deadline_version
    body = ok(transition(buyer, rfq_id, "pause", {"reason": "Supplier connection failed."}), "paused")
    assert body["status_reason"] == "Supplier connection failed."
    # Pretend the pause began ten minutes ago.
    RFQ.objects.filter(pk=rfq_id).update(paused_at=timezone.now() - timedelta(minutes=10))
    body = ok(transition(buyer, rfq_id, "resume"), "open")
    moved = parse_time(body["bidding_deadline"]) - deadline
    assert timedelta(minutes=10) <= moved < timedelta(minutes=10, seconds=30)
    assert parse_time(body["original_deadline"]) == deadline
    rfq.refresh_from_db()
    assert rfq.deadline_version == version + 1
    assert rfq.paused_at is None
    resumed = AuditEvent.objects.filter(rfq_id=rfq_id).latest("seq")
    assert resumed.type == "rfq.resume"
    assert 600 <= resumed.payload["paused_seconds"] < 630
    # The audit payload keeps milliseconds (DjangoJSONEncoder).
    assert abs(parse_time(resumed.payload["bidding_deadline"]) - rfq.bidding_deadline) < timedelta(milliseconds=1)


def test_pause_after_the_deadline_is_409(buyer, demo):
    rfq_id = published_rfq(demo)
    move_deadline_into_past(rfq_id)
    assert_error(transition(buyer, rfq_id, "pause"), 409, "invalid_transition", contains="deadline has passed")
    assert rfq_status(rfq_id) == "open"


# --- Close, evaluate, reopen, award -------------------------------------------------------------

def test_close_before_the_deadline_is_409_and_after_it_200(buyer, demo):
    rfq_id = published_rfq(demo)
    events = audit_count(rfq_id)
    assert_error(transition(buyer, rfq_id, "close"), 409, "invalid_transition", contains="cannot be closed early")
    assert rfq_status(rfq_id) == "open" and audit_count(rfq_id) == events
    move_deadline_into_past(rfq_id)
    body = ok(transition(buyer, rfq_id, "close"), "closed")
    assert body["closed_at"]


def test_evaluate_without_bids_is_no_award(buyer, demo):
    rfq_id = rfq_in_state(demo, "closed")
    body = ok(transition(buyer, rfq_id, "evaluate"), "no_award")
    assert body["status_reason"] == "No valid bid."


def test_evaluate_with_a_bid_goes_to_evaluation(buyer, demo):
    rfq_id = published_rfq(demo, accept=(1,))
    place_bid(demo, rfq_id)
    move_deadline_into_past(rfq_id)
    ok(transition(buyer, rfq_id, "close"), "closed")
    ok(transition(buyer, rfq_id, "evaluate"), "evaluation")


def test_reopen_needs_a_future_deadline(buyer, demo):
    rfq_id = rfq_in_state(demo, "no_award")
    events = audit_count(rfq_id)
    assert_error(transition(buyer, rfq_id, "reopen"), 409, "invalid_transition", contains="new bidding deadline")
    past = (timezone.now() - timedelta(minutes=5)).isoformat()
    error = assert_error(transition(buyer, rfq_id, "reopen", {"bidding_deadline": past}), 400, "invalid")
    assert "bidding_deadline" in error["fields"]
    assert rfq_status(rfq_id) == "no_award" and audit_count(rfq_id) == events
    deadline = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    body = ok(transition(buyer, rfq_id, "reopen", {"bidding_deadline": deadline.isoformat(),
                                                   "reason": "Nobody bid; extending."}), "open")
    assert parse_time(body["bidding_deadline"]) == deadline
    assert body["closed_at"] is None
    event = AuditEvent.objects.filter(rfq_id=rfq_id).latest("seq")
    assert event.type == "rfq.reopen" and event.payload["reason"] == "Nobody bid; extending."


def test_reopen_may_only_lower_the_reserve(buyer, demo):
    rfq_id = rfq_in_state(demo, "no_award")
    deadline = (timezone.now() + timedelta(days=2)).isoformat()
    events = audit_count(rfq_id)
    error = assert_error(transition(buyer, rfq_id, "reopen", {"bidding_deadline": deadline,
                                                              "reserve_amount": "9500.00"}), 400)
    assert "reserve_amount" in error["fields"]
    assert rfq_status(rfq_id) == "no_award" and audit_count(rfq_id) == events
    ok(transition(buyer, rfq_id, "reopen", {"bidding_deadline": deadline, "reserve_amount": "8000.00"}), "open")
    assert RFQ.objects.get(pk=rfq_id).reserve_amount == 8000


def test_award_a_bid(buyer, demo):
    rfq_id = published_rfq(demo, accept=(1,))
    bid = place_bid(demo, rfq_id)
    move_deadline_into_past(rfq_id)
    ok(transition(buyer, rfq_id, "close"), "closed")
    ok(transition(buyer, rfq_id, "evaluate"), "evaluation")
    body = ok(transition(buyer, rfq_id, "award", {"bid_id": bid.pk, "reason": "Best price."}), "awarded")
    assert body["status_reason"] == "Best price."
    event = AuditEvent.objects.filter(rfq_id=rfq_id).latest("seq")
    assert (event.type, event.payload["bid_id"], event.actor_name) == ("rfq.award", bid.pk, "buyer")


def test_award_with_a_bid_of_another_rfq_is_400(buyer, demo):
    rfq_id = rfq_in_state(demo, "evaluation")
    other_id = published_rfq(demo, accept=(1,))
    foreign_bid = place_bid(demo, other_id, amount="100.00")
    before = stored_counts()
    for bid_id in (foreign_bid.pk, 99999999):
        error = assert_error(transition(buyer, rfq_id, "award", {"bid_id": bid_id}), 400, "invalid")
        assert "bid_id" in error["fields"]
    for body in ({}, {"bid_id": "abc"}, {"bid_id": 0}):
        assert_error(transition(buyer, rfq_id, "award", body), 400, "invalid")
    assert rfq_status(rfq_id) == "evaluation"
    assert stored_counts() == before


def test_award_a_withdrawn_bid_is_400(buyer, demo):
    from auctions.models import Bid

    rfq_id = rfq_in_state(demo, "evaluation")
    bid = Bid.objects.get(rfq_id=rfq_id)
    place_bid(demo, rfq_id, supplier=1, amount="8600.00")
    Bid.objects.filter(pk=bid.pk).update(status="withdrawn")
    assert_error(transition(buyer, rfq_id, "award", {"bid_id": bid.pk}), 400, "invalid")
    assert rfq_status(rfq_id) == "evaluation"


# --- Cancel ------------------------------------------------------------------------------

@pytest.mark.parametrize("state", ["draft", "published", "open", "paused", "closed", "evaluation", "no_award"])
def test_cancel_with_a_reason_from_every_state_before_award(buyer, demo, state):
    rfq_id = rfq_in_state(demo, state)
    body = ok(transition(buyer, rfq_id, "cancel", {"reason": "  Vessel sold.  "}), "cancelled")
    assert body["status_reason"] == "Vessel sold."
    event = AuditEvent.objects.filter(rfq_id=rfq_id).latest("seq")
    assert (event.type, event.payload["from"], event.payload["to"], event.payload["reason"]) \
        == ("rfq.cancel", state, "cancelled", "Vessel sold.")


def test_cancel_needs_a_reason(buyer, demo):
    rfq_id = rfq_in_state(demo, "open")
    before = stored_counts()
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        error = assert_error(transition(buyer, rfq_id, "cancel", body), 400, "invalid")
        assert "reason" in error["fields"]
    assert stored_counts() == before


# --- Every refused transition: 409, nothing changes -----------------------------------------

ALLOWED = {
    "publish": {"draft"}, "open": {"published"}, "pause": {"open"}, "resume": {"paused"},
    "close": {"open"}, "evaluate": {"closed"}, "award": {"evaluation"}, "reopen": {"no_award"},
    "cancel": {"draft", "published", "open", "paused", "closed", "evaluation", "no_award"},
}
STATES = ["draft", "published", "open", "paused", "closed", "evaluation", "awarded", "no_award", "cancelled"]
REFUSED = [(state, name) for state in STATES for name in ALLOWED if state not in ALLOWED[name]]


def test_the_refusal_matrix_is_complete():
    assert len(REFUSED) == len(STATES) * len(ALLOWED) - sum(len(states) for states in ALLOWED.values())


@pytest.fixture(scope="module")
def rfq_per_state(_demo_world, django_db_blocker):
    """One RFQ in each state, built once for the module (inside its rolled-back world)."""
    from conftest import module_demo

    with django_db_blocker.unblock():
        demo = module_demo()
        return {state: rfq_in_state(demo, state) for state in STATES}


@pytest.mark.parametrize("state, name", REFUSED)
def test_refused_transitions_are_409_and_change_nothing(api, rfq_per_state, state, name):
    from auctions.models import Bid

    rfq_id = rfq_per_state[state]
    bid = Bid.objects.filter(rfq_id=rfq_id).first()
    body = {"reason": "Testing the state machine.", "bid_id": bid.pk if bid else 1}
    before = stored_counts()
    events = list(AuditEvent.objects.filter(rfq_id=rfq_id).values_list("seq", "hash"))
    error = assert_error(transition(api("buyer"), rfq_id, name, body), 409, "invalid_transition")
    assert f"is {state.replace('_', ' ')}" in error["message"], error
    assert rfq_status(rfq_id) == state
    assert list(AuditEvent.objects.filter(rfq_id=rfq_id).values_list("seq", "hash")) == events
    assert stored_counts() == before
