"""The embedded default's in-process scheduler runs the beat schedule's jobs when due."""
from __future__ import annotations

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from common.scheduler import InProcessBeat
from rfqs.models import RFQ
from tests.factories import RFQFactory, SupplierCompanyFactory, move_deadline_into_past

pytestmark = pytest.mark.django_db


class FakeClock:
    """The scheduler's clock for one-off jobs, moved by the test instead of by waiting."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def reverse_auction() -> int:
    return RFQFactory(open_reverse=True, accepted=SupplierCompanyFactory.create_batch(2)).pk


def test_it_runs_the_settings_schedule_and_closes_and_opens_what_is_due():
    overdue = reverse_auction()
    running = reverse_auction()
    waiting = RFQFactory(published=True, bidding_opens_at=timezone.now() + timedelta(minutes=5),
                         invited=SupplierCompanyFactory.create_batch(2)).pk
    move_deadline_into_past(overdue)
    RFQ.objects.filter(pk=waiting).update(bidding_opens_at=timezone.now() - timedelta(seconds=1))
    beat = InProcessBeat()
    assert set(beat.entries) == set(settings.CELERY_BEAT_SCHEDULE)
    assert {"close-overdue-rfqs", "open-due-rfqs"} <= set(beat.run_due())
    assert RFQ.objects.get(pk=overdue).status == "closed"
    assert RFQ.objects.get(pk=running).status == "open"
    assert RFQ.objects.get(pk=waiting).status == "open"


def test_an_entry_runs_again_only_when_its_schedule_says_so():
    beat = InProcessBeat({
        "sweep": {"task": "procurement.tasks.close_overdue_rfqs", "schedule": 3600.0},
        "nightly": {"task": "procurement.tasks.open_due_rfqs", "schedule": crontab(hour=3, minute=0)},
    })
    assert beat.run_due() == ["sweep", "nightly"]  # the first tick runs everything once
    assert beat.run_due() == []
    beat.last_run["sweep"] -= timedelta(hours=2)
    assert beat.run_due() == ["sweep"]


def test_a_failing_job_does_not_stop_the_others(monkeypatch):
    from procurement import tasks

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(tasks.close_overdue_rfqs, "run", broken)
    overdue = reverse_auction()
    beat = InProcessBeat({
        "broken": {"task": "procurement.tasks.close_overdue_rfqs", "schedule": 1.0},
        "open": {"task": "procurement.tasks.open_due_rfqs", "schedule": 1.0},
    })
    assert beat.run_due() == ["broken", "open"]
    assert RFQ.objects.get(pk=overdue).status == "open"


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def embedded(monkeypatch, settings, clock):
    """A scheduler registered as this process's, on an eager (broker-less) configuration,
    on a clock the test moves."""
    from common import scheduler

    settings.CELERY_TASK_ALWAYS_EAGER = True
    beat = InProcessBeat({}, clock=clock)
    monkeypatch.setattr(scheduler, "_running", beat)
    return beat


@pytest.fixture
def scans(monkeypatch):
    from oversight.gaming.tasks import scan_rfq_for_gaming

    ran = []
    monkeypatch.setattr(scan_rfq_for_gaming, "run", lambda rfq_id, phase: ran.append((rfq_id, phase)))
    return ran


def test_a_job_sent_for_later_waits_for_its_time_on_the_embedded_default(embedded, scans, clock):
    from common.scheduler import send_task_later
    from oversight.gaming.tasks import scan_rfq_for_gaming

    send_task_later(scan_rfq_for_gaming, args=[7, "bidding"], countdown=0.4)
    assert embedded.run_due() == [] and scans == []  # eager Celery would have run it at once
    clock.advance(0.39)
    assert embedded.run_due() == [] and scans == []  # not yet
    clock.advance(0.01)
    assert embedded.run_due() == [scan_rfq_for_gaming.name] and scans == [(7, "bidding")]
    assert embedded.run_due() == []  # once


def test_the_debounced_gaming_scan_runs_once_at_the_end_of_its_window(embedded, scans, settings, clock):
    from oversight.gaming.scheduling import _schedule, end_scan_window

    settings.QUAYSIDE = {**settings.QUAYSIDE, "GAMING": {**settings.QUAYSIDE["GAMING"], "DEBOUNCE_SECONDS": 1}}
    end_scan_window(41)  # in the cache and in this process's memory: another test may have bid on an RFQ 41
    for _ in range(3):  # three bids in one window
        _schedule(41)
    assert embedded.run_due() == [] and scans == []
    clock.advance(1)
    embedded.run_due()
    assert scans == [(41, "bidding")]


def test_with_no_scheduler_in_the_process_a_job_is_sent_as_usual(monkeypatch, settings):
    from common import scheduler
    from oversight.gaming.tasks import scan_rfq_for_gaming

    sent = []
    monkeypatch.setattr(scheduler, "_running", None)
    monkeypatch.setattr(scan_rfq_for_gaming, "apply_async", lambda args, countdown: sent.append((args, countdown)))
    scheduler.send_task_later(scan_rfq_for_gaming, args=[3, "bidding"], countdown=30)
    assert sent == [([3, "bidding"], 30)]
