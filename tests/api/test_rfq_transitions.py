"""product.md §3: the RFQ state machine over the API after publishing: pause and resume, close,
evaluate, reopen, award, cancel, and every refused transition."""
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from rfqs.models import RFQ
from tests.factories import move_deadline_into_past, published_rfq

from .helpers import (
    assert_error,
    audit_count,
    ok,
    parse_time,
    place_bid,
    rfq_in_state,
    rfq_status,
    stored_counts,
    transition,
)

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
