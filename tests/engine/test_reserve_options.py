"""The reserve's after-close options (product.md §4.4): `notify_buyer_if_not_met` e-mails the
buyer's organisation once; `auto_accept_if_met` evaluates and awards the recommendation
through the certification gate. Run as the after-close job runs them."""
from django.core import mail

from auctions.models import AwardLine
from audit.models import AuditEvent
from oversight.selectors import audit_verify
from procurement.tasks import after_close
from rfqs.models import RFQ
from tests.factories import move_deadline_into_past, published_rfq

from .helpers import created, items, quote, sealed_auction, transition
from .split_helpers import SPLIT, split_quotes


def reserve(amount, **options):
    return {"enabled": True, "amount": amount, "visibility": "hidden", **options}


def closed(api, demo, amount, capture, **options):
    """A sealed RFQ with quotes of 500.00 (supplier1) and 600.00 (supplier2), closed."""
    rfq = sealed_auction(demo, reserve=reserve(amount, **options))
    rice, flour = items(rfq)
    first = created(quote(api, "supplier1", rfq, {rice: "10.00", flour: "5.00"}))
    created(quote(api, "supplier2", rfq, {rice: "12.00", flour: "6.00"}))
    move_deadline_into_past(rfq)
    assert transition(api, "buyer", rfq, "close").status_code == 200
    mail.outbox.clear()
    return rfq, first["id"]


def run_after_close(rfq, capture):
    with capture(execute=True):
        after_close(rfq)


def test_a_reserve_not_met_tells_the_buyer_once_and_waits_for_its_decision(api, demo, django_capture_on_commit_callbacks):
    rfq, _ = closed(api, demo, "400.00", django_capture_on_commit_callbacks)
    run_after_close(rfq, django_capture_on_commit_callbacks)
    run_after_close(rfq, django_capture_on_commit_callbacks)  # the sweep may run the job again
    [notice] = [m for m in mail.outbox if "reserve price was not met" in m.subject]
    assert "400.00 USD" in notice.body and f"/rfqs/{rfq}/" in notice.body
    assert all(m.to == notice.to for m in mail.outbox)  # only the buyer's side hears of it
    assert RFQ.objects.get(pk=rfq).status == "closed"  # the buyer decides: reopen or evaluate


def test_no_notice_when_the_buyer_asked_for_none_or_the_reserve_is_met(api, demo, django_capture_on_commit_callbacks):
    rfq, _ = closed(api, demo, "400.00", django_capture_on_commit_callbacks, notify_buyer_if_not_met=False)
    run_after_close(rfq, django_capture_on_commit_callbacks)
    met, _ = closed(api, demo, "550.00", django_capture_on_commit_callbacks)
    run_after_close(met, django_capture_on_commit_callbacks)
    assert not [m for m in mail.outbox if "reserve" in m.subject]
    assert RFQ.objects.get(pk=met).status == "closed"  # no auto-accept asked for


def test_a_reserve_met_is_accepted_automatically(api, demo, django_capture_on_commit_callbacks):
    rfq, winner = closed(api, demo, "550.00", django_capture_on_commit_callbacks, auto_accept_if_met=True)
    run_after_close(rfq, django_capture_on_commit_callbacks)
    stored = RFQ.objects.get(pk=rfq)
    assert (stored.status, stored.awarded_bid_id) == ("awarded", winner)
    award = AuditEvent.objects.get(rfq_id=rfq, type="rfq.award")
    assert award.actor_id is None and award.payload["bid_id"] == winner  # the system, in the trail
    assert api("supplier1").get(f"/api/v1/rfqs/{rfq}/outcome/").json()["status"] == "awarded"
    assert any("won" in m.subject.lower() for m in mail.outbox)
    assert audit_verify(rfq_id=rfq).ok


def test_an_automatic_acceptance_stops_at_the_certification_gate(api, demo, settings,
                                                                django_capture_on_commit_callbacks):
    settings.QUAYSIDE = {**settings.QUAYSIDE, "HIGH_VALUE_THRESHOLD": "100"}  # 500.00 is high value now
    rfq, _ = closed(api, demo, "550.00", django_capture_on_commit_callbacks, auto_accept_if_met=True)
    run_after_close(rfq, django_capture_on_commit_callbacks)
    assert RFQ.objects.get(pk=rfq).status == "evaluation"  # compliance approves, then the buyer awards
    assert not AuditEvent.objects.filter(rfq_id=rfq, type="rfq.award").exists()


def test_a_split_award_meeting_its_reserve_is_awarded_its_recommended_allocation(api, demo,
                                                                              django_capture_on_commit_callbacks):
    rfq = published_rfq(demo, suppliers=(1, 2, 3), accept=(1, 2, 3), auction={"type": "SEALED_BID", "settings": SPLIT},
                        reserve_price=reserve("1000.00", auto_accept_if_met=True))
    split_quotes(api, rfq)  # the cost minimum: 560.00 from supplier1 and supplier2
    move_deadline_into_past(rfq)
    assert transition(api, "buyer", rfq, "close").status_code == 200
    run_after_close(rfq, django_capture_on_commit_callbacks)
    assert RFQ.objects.get(pk=rfq).status == "awarded"
    assert sorted(AwardLine.objects.filter(rfq_id=rfq).values_list("quantity", flat=True)) == [10, 10, 10, 30]
    assert audit_verify(rfq_id=rfq).ok
