"""Jobs are sent when a time is set or moved, carrying the deadline version, and never wait
in the broker longer than the visibility timeout allows; the open job and its sweep."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from procurement import scheduling
from procurement.tasks import close_rfq_when_due, open_due_rfqs, open_rfq_when_due
from rfqs.models import RFQ
from tests.engine.helpers import bid, reverse_auction, set_deadline
from tests.factories import published_rfq

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """Every job sent to the broker, as (task name, args, eta), instead of sending it."""
    jobs = []
    monkeypatch.setattr(scheduling, "_sending_jobs", lambda: True)
    for task in (close_rfq_when_due, open_rfq_when_due):
        monkeypatch.setattr(task, "apply_async",
                            lambda args, eta, _name=task.name: jobs.append((_name.rsplit(".", 1)[1], args, eta)))
    return jobs


def test_an_eta_never_exceeds_the_cap_below_the_visibility_timeout():
    now = timezone.now()
    cap = settings.QUAYSIDE["MAX_JOB_ETA_SECONDS"]
    assert cap < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert scheduling.job_eta(now + timedelta(days=30), now=now) == now + timedelta(seconds=cap)
    assert scheduling.job_eta(now + timedelta(seconds=5), now=now) == now + timedelta(seconds=5)
    assert scheduling.job_eta(now - timedelta(seconds=5), now=now) == now


def test_publish_sends_the_close_job_for_the_current_deadline_version(demo, sent, django_capture_on_commit_callbacks):
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        rfq_id = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    cap = timedelta(seconds=settings.QUAYSIDE["MAX_JOB_ETA_SECONDS"])
    rfq = RFQ.objects.get(pk=rfq_id)
    assert [(name, args) for name, args, _ in sent] == [("close_rfq_when_due", (rfq_id, rfq.deadline_version))]
    # The deadline is days away: the job waits the longest it may, then sends itself on.
    assert before + cap <= sent[0][2] <= timezone.now() + cap < rfq.bidding_deadline


def test_publish_with_a_later_opening_sends_the_open_job_too(demo, sent, django_capture_on_commit_callbacks):
    opens = timezone.now() + timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        rfq_id = published_rfq(demo, bidding_opens_at=opens.isoformat())
    assert RFQ.objects.get(pk=rfq_id).status == "published"
    assert [(name, args) for name, args, _ in sent] == [("open_rfq_when_due", (rfq_id,)),
                                                        ("close_rfq_when_due", (rfq_id, 1))]
    assert sent[0][2] == opens


def test_every_deadline_move_sends_a_job_for_the_new_version(demo, api, sent, django_capture_on_commit_callbacks):
    rfq_id = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    set_deadline(rfq_id, 200)  # inside the anti-sniping trigger window
    with django_capture_on_commit_callbacks(execute=True):
        assert bid(api, "supplier1", rfq_id, "9000.00").status_code == 201  # extends
    extended = RFQ.objects.get(pk=rfq_id)
    assert sent[-1][:2] == ("close_rfq_when_due", (rfq_id, extended.deadline_version))
    assert extended.deadline_version == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert api("buyer").post(f"/api/v1/rfqs/{rfq_id}/pause/", {}, format="json").status_code == 200
    assert len(sent) == 1  # a pause moves no deadline
    with django_capture_on_commit_callbacks(execute=True):
        assert api("buyer").post(f"/api/v1/rfqs/{rfq_id}/resume/", {}, format="json").status_code == 200
    resumed = RFQ.objects.get(pk=rfq_id)
    assert resumed.deadline_version == 3
    assert [args for _, args, _ in sent] == [(rfq_id, 2), (rfq_id, 3)]
    assert sent[-1][2] == resumed.bidding_deadline


def test_an_early_close_job_sends_itself_on_and_a_stale_one_does_not(demo, sent):
    rfq_id = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    set_deadline(rfq_id, 3 * 3600)  # beyond the cap: the job woke at the cap
    version = RFQ.objects.get(pk=rfq_id).deadline_version
    assert close_rfq_when_due(rfq_id, version) is False
    assert len(sent) == 1 and sent[0][1] == (rfq_id, version)
    assert RFQ.objects.get(pk=rfq_id).status == "open"
    assert close_rfq_when_due(rfq_id, version - 1 if version > 1 else version + 1) is False
    assert len(sent) == 1  # a job for another deadline version ends there


def test_the_open_job_opens_on_time_and_only_then(demo, sent):
    rfq_id = published_rfq(demo, bidding_opens_at=(timezone.now() + timedelta(minutes=5)).isoformat())
    assert open_rfq_when_due(rfq_id) is False and RFQ.objects.get(pk=rfq_id).status == "published"
    assert [name for name, _, _ in sent] == ["open_rfq_when_due"]  # woke early: sent on
    RFQ.objects.filter(pk=rfq_id).update(bidding_opens_at=timezone.now() - timedelta(seconds=1))
    assert open_rfq_when_due(rfq_id) is True
    assert open_rfq_when_due(rfq_id) is False  # delivered twice: opened once
    rfq = RFQ.objects.get(pk=rfq_id)
    assert rfq.status == "open"
    assert rfq.audit_events.filter(type="rfq.open", actor__isnull=True).count() == 1


def test_the_opening_sweep_opens_only_what_is_due(demo):
    due = published_rfq(demo, bidding_opens_at=(timezone.now() + timedelta(minutes=5)).isoformat())
    later = published_rfq(demo, bidding_opens_at=(timezone.now() + timedelta(minutes=5)).isoformat())
    RFQ.objects.filter(pk=due).update(bidding_opens_at=timezone.now() - timedelta(seconds=1))
    assert open_due_rfqs() == [due]
    assert RFQ.objects.get(pk=due).status == "open" and RFQ.objects.get(pk=later).status == "published"


def test_a_window_that_passed_before_any_job_ran_opens_late_closes_at_once_and_can_be_reopened(demo, api):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1,), bidding_opens_at=(
        timezone.now() + timedelta(minutes=5)).isoformat(), reserve_price={"enabled": False},
        auction={"type": "REVERSE_AUCTION", "settings": {"starting_price": "10000.00", "minimum_decrement": "100.00",
                                                         "decrement_type": "AMOUNT"}})
    # The site (or every worker) was down for the whole window.
    RFQ.objects.filter(pk=rfq_id).update(bidding_opens_at=timezone.now() - timedelta(hours=2),
                                         bidding_deadline=timezone.now() - timedelta(hours=1))
    assert bid(api, "supplier1", rfq_id, "9000.00").status_code in (403, 409, 422)
    assert open_due_rfqs() == [rfq_id]
    assert open_due_rfqs() == [] and open_rfq_when_due(rfq_id) is False  # once only
    rfq = RFQ.objects.get(pk=rfq_id)
    assert rfq.status == "closed" and rfq.bid_count == 0
    trail = list(rfq.audit_events.filter(type__in=("rfq.open", "rfq.close")).order_by("seq")
                 .values_list("type", "actor", "payload"))
    assert [(kind, actor) for kind, actor, _ in trail] == [("rfq.open", None), ("rfq.close", None)]
    assert trail[0][2]["late"] is True and "no bid could be placed" in trail[0][2]["reason"]
    buyer = api("buyer")
    assert buyer.post(f"/api/v1/rfqs/{rfq_id}/evaluate/", {}, format="json").json()["status"] == "no_award"
    reopened = buyer.post(f"/api/v1/rfqs/{rfq_id}/reopen/", {
        "reason": "The site was down for the whole window.",
        "bidding_deadline": (timezone.now() + timedelta(days=2)).isoformat()}, format="json")
    assert reopened.status_code == 200 and reopened.json()["status"] == "open", reopened.content


def test_no_bid_is_accepted_before_the_opening_time_whether_or_not_a_job_ran(demo, api):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1,), bidding_opens_at=(
        timezone.now() + timedelta(minutes=5)).isoformat(), reserve_price={"enabled": False},
        auction={"type": "REVERSE_AUCTION", "settings": {"starting_price": "10000.00", "minimum_decrement": "100.00",
                                                         "decrement_type": "AMOUNT"}})
    RFQ.objects.filter(pk=rfq_id).update(bidding_opens_at=timezone.now() - timedelta(seconds=1))
    response = bid(api, "supplier1", rfq_id, "9000.00")  # due, but no job has opened it yet
    assert response.status_code in (403, 409, 422) and RFQ.objects.get(pk=rfq_id).bid_count == 0


def test_reopening_sends_a_close_job_for_the_new_deadline(demo, api, sent, django_capture_on_commit_callbacks):
    from tests.factories import move_deadline_into_past

    rfq_id = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2), reserve={
        "enabled": True, "amount": "5000.00", "visibility": "hidden", "auto_accept_if_met": False,
        "notify_buyer_if_not_met": True})
    assert bid(api, "supplier1", rfq_id, "9000.00").status_code == 201
    move_deadline_into_past(rfq_id)
    buyer = api("buyer")
    for step in ("close", "evaluate"):
        assert buyer.post(f"/api/v1/rfqs/{rfq_id}/{step}/", {}, format="json").status_code == 200
    assert RFQ.objects.get(pk=rfq_id).status == "no_award"
    new_deadline = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = buyer.post(f"/api/v1/rfqs/{rfq_id}/reopen/", {"bidding_deadline": new_deadline.isoformat()},
                              format="json")
    assert response.status_code == 200, response.content
    reopened = RFQ.objects.get(pk=rfq_id)
    assert reopened.status == "open" and sent[-1][:2] == ("close_rfq_when_due", (rfq_id, reopened.deadline_version))


def test_the_deployment_check_refuses_an_eta_cap_above_the_visibility_timeout(settings):
    from procurement.checks import job_eta_below_visibility_timeout

    assert job_eta_below_visibility_timeout(None) == []
    settings.QUAYSIDE = {**settings.QUAYSIDE, "MAX_JOB_ETA_SECONDS": 3 * 3600}
    assert [error.id for error in job_eta_below_visibility_timeout(None)] == ["quayside.E001"]
