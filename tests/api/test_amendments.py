"""Amendments (issue 14 part 1, api.md "Around the event"): numbered, with a reason, audited;
a later deadline any time before the close, lines and description only before opening;
every invited supplier acknowledges before its next bid (rule `amendment_acknowledged`)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from auctions.live import live_body
from audit.models import AuditEvent
from oversight.selectors import audit_verify
from rfqs.models import RFQ
from tests.api.helpers import assert_error
from tests.engine.helpers import bid, reverse_auction
from tests.factories import published_rfq

REASON = "Two more days: the vessel's arrival moved."


def amend(api, rfq_id, who="buyer", **body):
    return api(who).post(f"/api/v1/rfqs/{rfq_id}/amendments/", {"reason": REASON, **body}, format="json")


def acknowledge(api, rfq_id, number, who="supplier1"):
    return api(who).post(f"/api/v1/rfqs/{rfq_id}/amendments/{number}/acknowledge/")


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
def open_reverse(demo):
    return reverse_auction(demo)


@pytest.fixture
def not_yet_open(demo):
    """Published, opening in a day: lines and description may still change."""
    return published_rfq(demo, suppliers=(1, 2), accept=(1,),
                         bidding_opens_at=iso(timezone.now() + timedelta(days=1)))


def test_a_later_deadline_while_open_is_numbered_audited_and_live(api, demo, open_reverse,
                                                                  django_capture_on_commit_callbacks):
    before = RFQ.objects.get(pk=open_reverse)
    later = before.bidding_deadline + timedelta(days=2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        created = amend(api, open_reverse, bidding_deadline=iso(later))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"] == 1 and body["reason"] == REASON and {"id", "created_at"} <= set(body)
    moved = body["changes"]["bidding_deadline"]
    assert parse_datetime(moved["from"]) == before.bidding_deadline and parse_datetime(moved["to"]) == later

    after = RFQ.objects.get(pk=open_reverse)
    assert after.bidding_deadline == later and after.deadline_version == before.deadline_version + 1
    assert after.original_deadline == before.original_deadline  # the round had started

    event = AuditEvent.objects.get(rfq_id=open_reverse, type="rfq.amended")
    assert event.payload["number"] == 1 and event.payload["changes"]["bidding_deadline"]["to"] == moved["to"]
    assert event.live_prev_seq is not None  # part of the chain live clients replay
    live = live_body(event, after, "bidders")
    assert live["type"] == "deadline_extended" and parse_datetime(live["bidding_deadline"]) == later
    assert live["amendment"] == {"number": 1, "reason": REASON}
    replayed = api("supplier2").get(f"/api/v1/rfqs/{open_reverse}/events/").json()
    assert [e["type"] for e in replayed if e.get("amendment")] == ["deadline_extended"]

    # Every invited supplier is e-mailed, with the reason and the new deadline.
    recipients = {address for message in mail.outbox for address in message.to}
    for n in (1, 2, 3):
        assert set(demo.supplier(n).members.values_list("email", flat=True)) <= recipients
    assert all(REASON in m.body and "Amendment 1" in m.subject for m in mail.outbox)

    state = api("supplier1").get(f"/api/v1/rfqs/{open_reverse}/state/").json()
    assert state["amendments"] == 1 and state["amendments_to_acknowledge"] == [1]
    assert parse_datetime(state["bidding_deadline"]) == later


def test_a_supplier_bids_only_after_acknowledging(api, demo, open_reverse):
    assert bid(api, "supplier1", open_reverse, "9500.00").status_code == 201
    later = RFQ.objects.get(pk=open_reverse).bidding_deadline + timedelta(hours=6)
    assert amend(api, open_reverse, bidding_deadline=iso(later)).status_code == 201
    assert amend(api, open_reverse, bidding_deadline=iso(later + timedelta(hours=1)),
                 reason="One more hour.").json()["number"] == 2

    refused = bid(api, "supplier1", open_reverse, "9400.00")
    error = assert_error(refused, 422, "bid_rejected")
    [violation] = [v for v in error["violations"] if v["rule"] == "amendment_acknowledged"]
    assert violation["category"] == "eligibility" and violation["severity"] == "block"
    assert violation["metadata"] == {"amendments": [1, 2]} and "1, 2" in violation["message"]

    assert acknowledge(api, open_reverse, 1).status_code == 200
    still = bid(api, "supplier1", open_reverse, "9400.00")
    assert [v["metadata"] for v in assert_error(still, 422)["violations"]
            if v["rule"] == "amendment_acknowledged"] == [{"amendments": [2]}]
    again = acknowledge(api, open_reverse, 2)
    assert again.status_code == 200 and again.json()["number"] == 2
    assert acknowledge(api, open_reverse, 2).json()["acknowledged_at"] == again.json()["acknowledged_at"]
    assert bid(api, "supplier1", open_reverse, "9400.00").status_code == 201
    # Another supplier's acknowledgement is its own.
    assert "amendment_acknowledged" in bid(api, "supplier2", open_reverse, "9300.00").content.decode()
    acks = AuditEvent.objects.filter(rfq_id=open_reverse, type="amendment.acknowledged")
    assert [(e.payload["number"], e.payload["supplier_id"]) for e in acks.order_by("seq")] == [
        (1, demo.supplier(1).pk), (2, demo.supplier(1).pk)]


def test_lines_description_or_an_earlier_deadline_after_opening_are_409(api, open_reverse):
    stored = RFQ.objects.get(pk=open_reverse)
    line = {"description": "Rice 25kg", "quantity": "45", "unit": "bag"}
    assert_error(amend(api, open_reverse, line_items=[line]), 409, contains="line items")
    assert_error(amend(api, open_reverse, description="New text"), 409)
    assert_error(amend(api, open_reverse, bidding_deadline=iso(stored.bidding_deadline - timedelta(hours=1))), 409,
                 contains="later")
    after = RFQ.objects.get(pk=open_reverse)
    assert (after.amendment_count, after.bidding_deadline, after.description) == (
        0, stored.bidding_deadline, stored.description)
    assert not AuditEvent.objects.filter(rfq_id=open_reverse, type="rfq.amended").exists()


def test_before_opening_lines_description_and_an_earlier_deadline_change(api, demo, not_yet_open):
    stored = RFQ.objects.get(pk=not_yet_open)
    ids = list(stored.line_items.values_list("pk", flat=True))
    earlier = stored.bidding_deadline - timedelta(hours=12)
    lines = [{"description": "Rice 25kg", "quantity": "45", "unit": "bag", "impa_code": "000101"},
             {"description": "Flour 10kg", "quantity": "20", "unit": "bag"},
             {"description": "Sugar 1kg", "quantity": "10", "unit": "kg"}]
    created = amend(api, not_yet_open, bidding_deadline=iso(earlier), description="Monthly stores, halal.",
                    line_items=lines)
    assert created.status_code == 201, created.content
    changes = created.json()["changes"]
    assert set(changes) == {"bidding_deadline", "description", "line_items"}
    assert changes["line_items"]["from"][0]["quantity"] == "40" and changes["line_items"]["to"][0]["quantity"] == "45"
    after = RFQ.objects.get(pk=not_yet_open)
    assert after.bidding_deadline == earlier == after.original_deadline
    assert after.description == "Monthly stores, halal."
    assert list(after.line_items.values_list("pk", flat=True))[:2] == ids  # kept by position
    assert [li.description for li in after.line_items.all()] == ["Rice 25kg", "Flour 10kg", "Sugar 1kg"]
    listed = api("supplier2").get(f"/api/v1/rfqs/{not_yet_open}/amendments/").json()
    assert [(a["number"], a["acknowledged_at"]) for a in listed] == [(1, None)]
    assert "acknowledgements" not in listed[0]


def test_bad_amendments_are_400_and_change_nothing(api, open_reverse, not_yet_open):
    stored = RFQ.objects.get(pk=open_reverse)
    assert_error(api("buyer").post(f"/api/v1/rfqs/{open_reverse}/amendments/", {"bidding_deadline": iso(
        stored.bidding_deadline + timedelta(days=1))}, format="json"), 400)  # no reason
    assert_error(amend(api, open_reverse, reason="   ", bidding_deadline=iso(
        stored.bidding_deadline + timedelta(days=1))), 400)
    assert_error(amend(api, open_reverse), 400, contains="nothing would change")
    assert_error(amend(api, open_reverse, bidding_deadline=iso(stored.bidding_deadline)), 400)
    assert_error(amend(api, open_reverse, bidding_deadline="tomorrow"), 400)
    assert_error(amend(api, open_reverse, bidding_deadline=iso(stored.bidding_deadline + timedelta(days=60))), 400,
                 contains="delivery")
    assert_error(amend(api, not_yet_open, bidding_deadline=iso(timezone.now() - timedelta(minutes=1))), 400)
    assert_error(amend(api, not_yet_open, line_items=[]), 400)
    assert_error(api("buyer").post(f"/api/v1/rfqs/{open_reverse}/amendments/", [1], format="json"), 400)
    assert RFQ.objects.get(pk=open_reverse).amendment_count == 0
    assert RFQ.objects.get(pk=not_yet_open).amendment_count == 0


def test_who_may_amend_list_and_acknowledge(api, demo, open_reverse):
    later = iso(RFQ.objects.get(pk=open_reverse).bidding_deadline + timedelta(days=1))
    assert_error(amend(api, open_reverse, who="supplier1", bidding_deadline=later), 403)
    assert_error(amend(api, open_reverse, who="buyer2", bidding_deadline=later), 404)
    assert_error(amend(api, open_reverse, who="compliance", bidding_deadline=later), 403)
    assert amend(api, open_reverse, bidding_deadline=later).status_code == 201
    assert_error(acknowledge(api, open_reverse, 1, who="supplier4"), 404)  # not invited
    assert_error(acknowledge(api, open_reverse, 1, who="buyer"), 403)
    assert_error(acknowledge(api, open_reverse, 9), 404)
    assert_error(api("buyer2").get(f"/api/v1/rfqs/{open_reverse}/amendments/"), 404)
    assert acknowledge(api, open_reverse, 1, who="supplier2").status_code == 200
    buyer_view = api("buyer").get(f"/api/v1/rfqs/{open_reverse}/amendments/").json()
    assert [a["supplier"]["id"] for a in buyer_view[0]["acknowledgements"]] == [demo.supplier(2).pk]
    # A supplier never learns who else acknowledged.
    own = api("supplier1").get(f"/api/v1/rfqs/{open_reverse}/amendments/").json()
    assert own[0]["acknowledged_at"] is None and "acknowledgements" not in own[0]
    assert demo.supplier(2).name not in api("supplier1").get(f"/api/v1/rfqs/{open_reverse}/amendments/").content.decode()


def test_a_closed_rfq_is_not_amended(api, open_reverse):
    from tests.factories import move_deadline_into_past

    move_deadline_into_past(open_reverse)
    assert_error(amend(api, open_reverse, bidding_deadline=iso(timezone.now() + timedelta(days=1))), 409,
                 contains="deadline has passed")
    assert api("buyer").post(f"/api/v1/rfqs/{open_reverse}/close/", {}, format="json").status_code == 200
    assert_error(amend(api, open_reverse, bidding_deadline=iso(timezone.now() + timedelta(days=1))), 409)


def test_the_fairness_report_and_ocds_show_the_amendment(api, demo, open_reverse):
    from tests.factories import move_deadline_into_past

    later = RFQ.objects.get(pk=open_reverse).bidding_deadline + timedelta(hours=3)
    assert amend(api, open_reverse, bidding_deadline=iso(later)).status_code == 201
    assert acknowledge(api, open_reverse, 1).status_code == 200
    assert bid(api, "supplier1", open_reverse, "9500.00").status_code == 201
    move_deadline_into_past(open_reverse)
    assert api("buyer").post(f"/api/v1/rfqs/{open_reverse}/close/", {}, format="json").status_code == 200
    report = api("compliance").get(f"/api/v1/rfqs/{open_reverse}/fairness-report/")
    assert report.status_code == 200, report.content
    body = report.json()
    assert body["summary"]["amendments"] == 1
    [published] = [e for e in body["timeline"] if e["type"] == "rfq.amended"]
    assert published["label"] == "Amendment published" and REASON in published["detail"]
    assert "deadline" in published["detail"] and published["actor"] == "buyer"
    [acknowledged] = [e for e in body["timeline"] if e["type"] == "amendment.acknowledged"]
    assert demo.supplier(1).name in acknowledged["detail"]
    assert [a["detail"] for a in body["compliance"]["actions_taken"] if a["type"] == "rfq.amended"] == [REASON]
    pdf = api("compliance").get(f"/api/v1/rfqs/{open_reverse}/fairness-report/?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # OCDS: the amendment's deadline move is a tenderUpdate with the new end date.
    releases = api("buyer").get(f"/api/v1/rfqs/{open_reverse}/ocds/").json()["releases"]
    assert [parse_datetime(r["tender"]["tenderPeriod"]["endDate"]) for r in releases
            if r["tag"] == ["tenderUpdate"]][0] == later


def test_the_gaming_scan_counts_the_deadline_an_amendment_replaced(api, open_reverse):
    from oversight.gaming.facts import auction_facts

    before = RFQ.objects.get(pk=open_reverse).bidding_deadline
    assert amend(api, open_reverse, bidding_deadline=iso(before + timedelta(hours=2))).status_code == 201
    deadlines = auction_facts(RFQ.objects.get(pk=open_reverse)).deadlines
    assert before.replace(microsecond=before.microsecond // 1000 * 1000) in deadlines
    assert len(deadlines) == 2  # the replaced one and the current one (also the original)


def test_the_audit_verifier_follows_amended_deadlines_and_still_sees_a_tampered_one(api, open_reverse, not_yet_open):
    """product.md §6: the verifier rebuilds each RFQ's state from its events and compares it with
    the tables; an amendment's event is what moves the deadline (it said "broken" before)."""
    for rfq_id, change in ((open_reverse, {"hours": 2}), (not_yet_open, {"hours": -12})):
        before = RFQ.objects.get(pk=rfq_id).bidding_deadline
        assert amend(api, rfq_id, bidding_deadline=iso(before + timedelta(**change))).status_code == 201
        result = audit_verify(rfq_id=rfq_id)
        assert result.ok, result.problem
    assert amend(api, not_yet_open, description="Monthly stores, halal.").status_code == 201  # no deadline moved
    assert audit_verify(rfq_id=not_yet_open).ok

    amended = AuditEvent.objects.get(rfq_id=open_reverse, type="rfq.amended")
    RFQ.objects.filter(pk=open_reverse).update(bidding_deadline=F("bidding_deadline") + timedelta(minutes=5))
    result = audit_verify(rfq_id=open_reverse)
    assert not result.ok and result.first_bad_seq == amended.seq and "deadline" in result.problem
