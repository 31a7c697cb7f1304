"""The close job and the sweep: close once, at the current deadline, whatever is delivered."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from procurement.services import rfq_close_if_due
from procurement.tasks import close_overdue_rfqs, close_rfq_when_due
from rfqs.models import RFQ
from tests.engine.helpers import bid, set_deadline
from tests.factories import RFQFactory, SupplierFactory, move_deadline_into_past

pytestmark = pytest.mark.django_db


@pytest.fixture
def suppliers(db):
    """Two suppliers' users, each of its own verified company."""
    return SupplierFactory.create_batch(2)


@pytest.fixture
def api(api_as):
    return api_as


def reverse_auction(suppliers, **fields) -> int:
    """An open reverse auction (ceiling 10 000, decrement 100) both suppliers accepted: its id."""
    return RFQFactory(open_reverse=True, accepted=[user.supplier for user in suppliers], **fields).pk


def closes(rfq_id: int) -> int:
    return AuditEvent.objects.filter(rfq_id=rfq_id, type="rfq.close").count()


def test_a_job_delivered_twice_closes_once(suppliers):
    rfq = reverse_auction(suppliers)
    version = RFQ.objects.get(pk=rfq).deadline_version
    move_deadline_into_past(rfq)
    assert close_rfq_when_due(rfq, version) is True
    assert close_rfq_when_due(rfq, version) is False
    assert RFQ.objects.get(pk=rfq).status == "closed" and closes(rfq) == 1
    event = AuditEvent.objects.get(rfq_id=rfq, type="rfq.close")
    assert event.actor_id is None and event.actor_name == "system"


def test_a_job_for_an_old_deadline_does_nothing_and_the_new_one_closes(suppliers, api):
    rfq = reverse_auction(suppliers)
    scheduled_for = RFQ.objects.get(pk=rfq).deadline_version
    set_deadline(rfq, 200)  # inside the anti-sniping window: the bid extends the deadline
    assert bid(api, suppliers[0], rfq, "9000.00").status_code == 201
    extended = RFQ.objects.get(pk=rfq)
    assert extended.deadline_version == scheduled_for + 1
    RFQ.objects.filter(pk=rfq).update(bidding_deadline=timezone.now() - timedelta(seconds=1))
    assert close_rfq_when_due(rfq, scheduled_for) is False  # scheduled before the extension
    assert RFQ.objects.get(pk=rfq).status == "open"
    assert close_rfq_when_due(rfq, extended.deadline_version) is True
    assert closes(rfq) == 1


def test_nothing_closes_before_its_deadline_or_while_paused(suppliers, api):
    rfq = reverse_auction(suppliers)
    assert rfq_close_if_due(rfq_id=rfq) is False
    buyer = RFQ.objects.get(pk=rfq).created_by
    assert api(buyer).post(f"/api/v1/rfqs/{rfq}/pause/", {}, format="json").status_code == 200
    move_deadline_into_past(rfq)
    assert rfq_close_if_due(rfq_id=rfq) is False and RFQ.objects.get(pk=rfq).status == "paused"
    assert rfq_close_if_due(rfq_id=987654) is False


def test_the_sweep_closes_every_overdue_auction_and_only_those(suppliers):
    due = [reverse_auction(suppliers) for _ in range(2)]
    running = reverse_auction(suppliers)
    for rfq in due:
        move_deadline_into_past(rfq)
    assert sorted(close_overdue_rfqs()) == sorted(due)
    assert close_overdue_rfqs() == []
    assert [RFQ.objects.get(pk=pk).status for pk in due] == ["closed", "closed"]
    assert RFQ.objects.get(pk=running).status == "open"


def test_closing_queues_the_follow_up_which_scans_then_reports(suppliers, api, monkeypatch,
                                                                django_capture_on_commit_callbacks):
    from audit.models import FairnessReport, GamingAlert
    from procurement import tasks

    queued = []
    monkeypatch.setattr(tasks.after_close, "delay", queued.append)
    rfq = reverse_auction(suppliers)
    for user, amount in zip(suppliers, ("9500.00", "9300.00"), strict=True):
        assert bid(api, user, rfq, amount, REMOTE_ADDR="203.0.113.7").status_code == 201  # one address
    move_deadline_into_past(rfq)
    with django_capture_on_commit_callbacks(execute=True):
        assert rfq_close_if_due(rfq_id=rfq) is True
    assert queued == [rfq]
    assert not GamingAlert.objects.filter(rfq_id=rfq).exists()  # the debounced scan has not run
    tasks.after_close(rfq)  # what the worker runs
    alerts = GamingAlert.objects.filter(rfq_id=rfq, detector="shared_ip_or_device", phase="close")
    assert list(alerts.values_list("key", flat=True)) == ["ip:203.0.113.7"]
    report = FairnessReport.objects.get(rfq_id=rfq)
    assert sorted(a["id"] for a in report.data["compliance"]["gaming_alerts"]) == sorted(a.pk for a in alerts)
    tasks.after_close(rfq)  # delivered twice: nothing new
    assert FairnessReport.objects.get(rfq_id=rfq).version == report.version


def test_a_job_whose_timer_fires_a_hair_early_still_closes_at_once(suppliers, monkeypatch):
    from procurement import tasks

    rfq = reverse_auction(suppliers)
    version = RFQ.objects.get(pk=rfq).deadline_version
    checks = []

    def deadline_passes_after_the_first_check(**kwargs):
        checks.append(kwargs)
        if len(checks) == 1:  # not yet due: then the deadline passes before the job decides what next
            move_deadline_into_past(rfq)
            return False
        return rfq_close_if_due(**kwargs)

    monkeypatch.setattr(tasks, "rfq_close_if_due", deadline_passes_after_the_first_check)
    assert close_rfq_when_due(rfq, version) is True  # closed now, not at the next sweep
    assert RFQ.objects.get(pk=rfq).status == "closed" and closes(rfq) == 1


def test_a_reopened_round_has_its_own_anti_sniping_allowance(suppliers, api):
    rfq = reverse_auction(suppliers, reserve_enabled=True, reserve_amount="5000.00", reserve_visibility="hidden",
                          reserve_auto_accept_if_met=False, reserve_notify_buyer_if_not_met=True)
    bid(api, suppliers[0], rfq, "9500.00")
    set_deadline(rfq, 60)  # inside the trigger window: the next bid extends
    assert bid(api, suppliers[1], rfq, "9300.00").json()["extensions"] == 1
    move_deadline_into_past(rfq)
    buyer = api(RFQ.objects.get(pk=rfq).created_by)
    assert buyer.post(f"/api/v1/rfqs/{rfq}/close/", {}, format="json").status_code == 200
    assert buyer.post(f"/api/v1/rfqs/{rfq}/evaluate/", {}, format="json").json()["status"] == "no_award"
    deadline = timezone.now() + timedelta(days=2)
    response = buyer.post(f"/api/v1/rfqs/{rfq}/reopen/", {"reason": "No price met the reserve.",
                                                          "bidding_deadline": deadline.isoformat()}, format="json")
    assert response.status_code == 200, response.content
    reopened = RFQ.objects.get(pk=rfq)
    assert (reopened.extensions, reopened.last_extension_at) == (0, None)
    assert reopened.original_deadline == reopened.bidding_deadline
