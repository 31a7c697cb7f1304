"""The gaming scan on real bids: alerts upserted by (rfq, detector, key), raised and updated
in the audit trail (never live), a rerun writes nothing; the bid path schedules it debounced."""
import pytest
from django.conf import settings
from django.core.cache import cache

from auctions.models import Bid
from audit.models import AuditEvent, GamingAlert
from common import realtime
from config.celery import app as celery_app
from oversight.gaming import tasks
from oversight.gaming.facts import auction_facts
from oversight.gaming.scheduling import end_scan_window, forget_scan_windows
from oversight.gaming.services import gaming_scan
from rfqs.models import RFQ
from tests.engine.helpers import bid, created, reverse_auction, set_deadline, withdraw

OFFICE = "198.51.100.7"


def place(api, user, rfq, amount, ip, fingerprint):
    return created(bid(api, user, rfq, amount, REMOTE_ADDR=ip, HTTP_X_DEVICE_FINGERPRINT=fingerprint))


def gaming_events(rfq):
    return list(AuditEvent.objects.filter(rfq_id=rfq, type__startswith="gaming.").order_by("seq"))


@pytest.fixture(autouse=True)
def _no_debounce_left_over():
    cache.clear()
    forget_scan_windows()


def test_two_suppliers_from_one_office_raise_one_high_alert_and_a_rerun_writes_nothing(api, demo):
    rfq = reverse_auction(demo)
    first = place(api, "supplier1", rfq, "9900.00", OFFICE, "fp-a")
    place(api, "supplier3", rfq, "9800.00", "203.0.113.30", "fp-c")
    second = place(api, "supplier2", rfq, "9700.00", OFFICE, "fp-b")

    [alert] = gaming_scan(rfq_id=rfq, phase="close")
    stored = GamingAlert.objects.get(rfq_id=rfq)
    assert stored.pk == alert.pk
    assert (stored.detector, stored.key, stored.severity, stored.phase) == (
        "shared_ip_or_device", f"ip:{OFFICE}", "HIGH", "close")
    assert stored.supplier_ids == sorted([demo.supplier(1).pk, demo.supplier(2).pk])
    assert [b["id"] for b in stored.evidence["bids"]] == [first["id"], second["id"]]
    assert [b["ip"] for b in stored.evidence["bids"]] == [OFFICE, OFFICE]
    assert stored.evidence["bids"][0]["at"] == Bid.objects.get(pk=first["id"]).submitted_at.isoformat()

    [event] = gaming_events(rfq)
    assert event.type == "gaming.alert_raised" and event.actor_name == "system"
    assert {k: event.payload[k] for k in ("alert_id", "detector", "severity", "key")} == {
        "alert_id": alert.pk, "detector": "shared_ip_or_device", "severity": "HIGH", "key": f"ip:{OFFICE}"}
    assert event.payload["evidence"] == stored.evidence and event.payload["summary"] == stored.summary
    # Suppliers must never hear they were flagged: the event is outside the live chain.
    assert event.live_prev_seq is None and not realtime.is_live(event.type, RFQ.objects.get(pk=rfq))

    assert gaming_scan(rfq_id=rfq, phase="close") == []
    assert GamingAlert.objects.filter(rfq_id=rfq).count() == 1 and len(gaming_events(rfq)) == 1


def test_a_pattern_that_grows_updates_its_alert(api, demo):
    rfq = reverse_auction(demo)
    place(api, "supplier1", rfq, "9900.00", OFFICE, "fp-a")
    place(api, "supplier2", rfq, "9800.00", OFFICE, "fp-b")
    [raised] = gaming_scan(rfq_id=rfq, phase="bidding")
    third = place(api, "supplier3", rfq, "9700.00", OFFICE, "fp-c")

    [updated] = gaming_scan(rfq_id=rfq, phase="bidding")
    assert updated.pk == raised.pk and GamingAlert.objects.filter(rfq_id=rfq).count() == 1
    stored = GamingAlert.objects.get(pk=raised.pk)
    assert stored.evidence["bids"][-1]["id"] == third["id"] and len(stored.supplier_ids) == 3
    assert [e.type for e in gaming_events(rfq)] == ["gaming.alert_raised", "gaming.alert_updated"]
    assert gaming_events(rfq)[1].payload["evidence"] == stored.evidence


def test_honest_bids_raise_nothing(api, demo):
    rfq = reverse_auction(demo)
    for n, amount in ((1, "9900.00"), (2, "9750.00"), (3, "9500.00")):
        place(api, f"supplier{n}", rfq, amount, f"203.0.113.{n}", f"fp-{n}")
    assert gaming_scan(rfq_id=rfq, phase="close") == []
    assert not GamingAlert.objects.filter(rfq_id=rfq).exists() and gaming_events(rfq) == []


def test_a_burst_of_bids_schedules_one_scan_per_window(api, demo, monkeypatch, django_capture_on_commit_callbacks):
    scheduled = []
    monkeypatch.setattr(tasks.scan_rfq_for_gaming, "apply_async",
                        lambda args, countdown: scheduled.append((args, countdown)))
    rfq, other = reverse_auction(demo), reverse_auction(demo)
    window = settings.QUAYSIDE["GAMING"]["DEBOUNCE_SECONDS"]
    with django_capture_on_commit_callbacks(execute=True):
        for n, amount in enumerate(["9900.00", "9800.00", "9700.00", "9600.00", "9500.00", "9400.00"]):
            place(api, f"supplier{n % 3 + 1}", rfq, amount, f"203.0.113.{n}", f"fp-{n}")
        place(api, "supplier1", other, "9900.00", "203.0.113.9", "fp-9")
    assert scheduled == [([rfq, "bidding"], window), ([other, "bidding"], window)]

    end_scan_window(rfq)  # the window has passed
    with django_capture_on_commit_callbacks(execute=True):
        place(api, "supplier2", rfq, "9300.00", "203.0.113.2", "fp-2")
    assert scheduled[-1] == ([rfq, "bidding"], window) and len(scheduled) == 3


def test_the_scheduled_scan_runs_after_a_bid(api, demo, monkeypatch, django_capture_on_commit_callbacks):
    # As on the embedded default, the job runs in-process once the bid commits (with Redis a
    # worker would run it; none runs under the test suite).
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    rfq = reverse_auction(demo)
    place(api, "supplier1", rfq, "9900.00", OFFICE, "fp-a")
    with django_capture_on_commit_callbacks(execute=True):
        place(api, "supplier2", rfq, "9800.00", OFFICE, "fp-b")
    alert = GamingAlert.objects.get(rfq_id=rfq)
    assert (alert.detector, alert.phase) == ("shared_ip_or_device", "bidding")


def test_a_withdrawal_schedules_a_scan_too(api, demo, monkeypatch, django_capture_on_commit_callbacks):
    scheduled = []
    monkeypatch.setattr(tasks.scan_rfq_for_gaming, "apply_async",
                        lambda args, countdown: scheduled.append(args))
    rfq = reverse_auction(demo)
    placed = place(api, "supplier1", rfq, "9900.00", "203.0.113.1", "fp-1")
    with django_capture_on_commit_callbacks(execute=True):
        assert withdraw(api, "supplier1", rfq, placed["id"]).status_code == 200
    assert scheduled == [[rfq, "bidding"]]


def test_the_facts_know_every_deadline_the_auction_had(api, demo):
    rfq = reverse_auction(demo)
    set_deadline(rfq, 30)  # inside the anti-sniping window: the next bid extends it
    original = RFQ.objects.get(pk=rfq).bidding_deadline
    RFQ.objects.filter(pk=rfq).update(original_deadline=original)
    place(api, "supplier1", rfq, "9900.00", "203.0.113.1", "fp-1")
    extended = RFQ.objects.get(pk=rfq)
    assert extended.bidding_deadline > original
    facts = auction_facts(extended)
    # to the millisecond, as the audit trail keeps them: the extension's deadline counts once
    assert [d.isoformat(timespec="milliseconds") for d in facts.deadlines] == [
        d.isoformat(timespec="milliseconds") for d in (original, extended.bidding_deadline)]
    assert [b.ip for b in facts.bids] == ["203.0.113.1"] and facts.bids[0].fingerprint == "fp-1"


def test_an_alert_on_a_closed_auction_queues_its_report(api, demo, monkeypatch, django_capture_on_commit_callbacks):
    from oversight.reports import tasks as report_tasks
    from tests.factories import move_deadline_into_past

    queued = []
    monkeypatch.setattr(report_tasks.generate_fairness_report, "delay", queued.append)
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    for user, amount in (("supplier1", "9500.00"), ("supplier2", "9300.00")):
        assert bid(api, user, rfq, amount, REMOTE_ADDR="198.51.100.20").status_code == 201
    assert gaming_scan(rfq_id=rfq, phase="bidding")  # while open: no report to regenerate
    move_deadline_into_past(rfq)
    assert api("buyer").post(f"/api/v1/rfqs/{rfq}/close/", {}, format="json").status_code == 200
    assert bid(api, "supplier1", rfq, "9000.00").status_code == 422  # closed: the evidence stays as it was
    with django_capture_on_commit_callbacks(execute=True):
        assert gaming_scan(rfq_id=rfq, phase="close") == []  # nothing new: nothing queued
    assert queued == []
    GamingAlert.objects.filter(rfq_id=rfq).delete()  # as if the scan had never run before the close
    with django_capture_on_commit_callbacks(execute=True):
        assert gaming_scan(rfq_id=rfq, phase="close")
    assert queued == [rfq]
