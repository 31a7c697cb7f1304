"""The after-close sweep: a closed auction whose after-close job never ran (lost with the
broker, its worker killed) still gets its at-close gaming scan and fairness report; one whose
job ran, or is still within its grace, is left alone. The real worker and beat doing this
after a lost job: tests/deadlines/test_worker_faults.py."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent, FairnessReport, GamingAlert
from procurement.selectors import rfqs_due_after_close
from procurement.services import rfq_close_if_due
from procurement.tasks import after_close, finish_closed_rfqs
from rfqs.models import RFQ
from tests.engine.helpers import bid
from tests.factories import RFQFactory, SupplierFactory, move_deadline_into_past

pytestmark = pytest.mark.django_db


@pytest.fixture
def suppliers(db):
    return SupplierFactory.create_batch(2)


def closed_auction(suppliers, api, *, closed_ago: timedelta, same_address: bool = False) -> int:
    """A reverse auction with a bid from each supplier, closed `closed_ago` by its close job,
    whose after-close job never ran (the test's transaction never commits, so nothing that
    waits for the commit runs)."""
    rfq = RFQFactory(open_reverse=True, accepted=[user.supplier for user in suppliers]).pk
    for user, amount in zip(suppliers, ("9500.00", "9300.00"), strict=True):
        address = "203.0.113.7" if same_address else f"203.0.113.{user.pk % 200 + 1}"
        assert bid(api, user, rfq, amount, REMOTE_ADDR=address).status_code == 201
    move_deadline_into_past(rfq)
    assert rfq_close_if_due(rfq_id=rfq) is True
    RFQ.objects.filter(pk=rfq).update(closed_at=timezone.now() - closed_ago)
    return rfq


def reports(rfq_id: int) -> int:
    return AuditEvent.objects.filter(rfq_id=rfq_id, type="fairness.report_generated").count()


def test_a_close_whose_job_was_lost_is_scanned_and_reported_by_the_sweep(suppliers, api_as, settings):
    settings.AFTER_CLOSE_GRACE_SECONDS = 120
    lost = closed_auction(suppliers, api_as, closed_ago=timedelta(minutes=5), same_address=True)
    assert not FairnessReport.objects.filter(rfq_id=lost).exists()
    assert finish_closed_rfqs() == [lost]
    report = FairnessReport.objects.get(rfq_id=lost)
    assert report.generated_at >= RFQ.objects.get(pk=lost).closed_at and reports(lost) == 1
    # The at-close scan ran before the report, which lists its alert.
    alerts = GamingAlert.objects.filter(rfq_id=lost, detector="shared_ip_or_device", phase="close")
    assert list(alerts.values_list("key", flat=True)) == ["ip:203.0.113.7"]
    assert [a["id"] for a in report.data["compliance"]["gaming_alerts"]] == [alerts.get().pk]
    assert finish_closed_rfqs() == [] and reports(lost) == 1  # done: the next sweeps leave it


def test_the_sweep_leaves_a_close_within_its_grace_a_finished_one_and_an_open_auction(suppliers, api_as, settings):
    settings.AFTER_CLOSE_GRACE_SECONDS = 120
    recent = closed_auction(suppliers, api_as, closed_ago=timedelta(seconds=30))  # its own job may be running
    finished = closed_auction(suppliers, api_as, closed_ago=timedelta(minutes=5))
    after_close(finished)  # its own job ran
    running = RFQFactory(open_reverse=True, accepted=[user.supplier for user in suppliers]).pk
    assert rfqs_due_after_close() == []
    assert finish_closed_rfqs() == [] and reports(recent) == 0 and reports(finished) == 1
    assert RFQ.objects.get(pk=running).status == "open"
    RFQ.objects.filter(pk=recent).update(closed_at=timezone.now() - timedelta(minutes=3))  # the grace is over
    assert finish_closed_rfqs() == [recent]


def test_the_report_of_an_earlier_round_does_not_count(suppliers, api_as, settings):
    """A reopened auction closes again: the report of its first round is not the report of the
    second, so a lost job after the second close is still finished by the sweep."""
    settings.AFTER_CLOSE_GRACE_SECONDS = 120
    rfq = RFQFactory(open_reverse=True, accepted=[user.supplier for user in suppliers], reserve_enabled=True,
                     reserve_amount="5000.00", reserve_visibility="hidden", reserve_auto_accept_if_met=False).pk
    assert bid(api_as, suppliers[0], rfq, "9500.00").status_code == 201
    move_deadline_into_past(rfq)
    assert rfq_close_if_due(rfq_id=rfq) is True
    after_close(rfq)  # the first round's job ran
    buyer = api_as(RFQ.objects.get(pk=rfq).created_by)
    assert buyer.post(f"/api/v1/rfqs/{rfq}/evaluate/", {}, format="json").json()["status"] == "no_award"
    reopened = buyer.post(f"/api/v1/rfqs/{rfq}/reopen/", {"reason": "No price met the reserve.", "bidding_deadline": (
        timezone.now() + timedelta(days=1)).isoformat()}, format="json")
    assert reopened.status_code == 200, reopened.content
    assert rfqs_due_after_close() == []  # open again: nothing to finish
    assert bid(api_as, suppliers[1], rfq, "9300.00").status_code == 201
    move_deadline_into_past(rfq)
    assert rfq_close_if_due(rfq_id=rfq) is True  # the second close, whose job is lost
    settings.AFTER_CLOSE_GRACE_SECONDS = 0  # (not its closed_at moved back: before the first report)
    first = FairnessReport.objects.get(rfq_id=rfq)
    assert rfqs_due_after_close() == [rfq]
    assert finish_closed_rfqs() == [rfq]
    second = FairnessReport.objects.get(rfq_id=rfq)
    assert second.version == first.version + 1 and second.generated_at >= RFQ.objects.get(pk=rfq).closed_at
    assert rfqs_due_after_close() == []


def test_one_close_that_cannot_be_finished_does_not_stop_the_others(suppliers, api_as, settings, monkeypatch):
    from procurement import tasks

    settings.AFTER_CLOSE_GRACE_SECONDS = 120
    broken, fine = (closed_auction(suppliers, api_as, closed_ago=timedelta(minutes=m)) for m in (6, 5))
    real = tasks.after_close

    def fails_for_the_first(rfq_id):
        if rfq_id == broken:
            raise RuntimeError("the report could not be built")
        real(rfq_id)

    monkeypatch.setattr(tasks, "after_close", fails_for_the_first)
    assert finish_closed_rfqs() == [fine]
    assert rfqs_due_after_close() == [broken]  # tried again at the next sweep
