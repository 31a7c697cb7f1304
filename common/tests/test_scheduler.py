"""The embedded default's in-process scheduler runs the beat schedule's jobs when due."""
from __future__ import annotations

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from common.scheduler import InProcessBeat
from procurement.models import RFQ
from tests.engine.helpers import reverse_auction
from tests.factories import move_deadline_into_past, published_rfq

pytestmark = pytest.mark.django_db


def test_it_runs_the_settings_schedule_and_closes_and_opens_what_is_due(demo):
    overdue = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    running = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    waiting = published_rfq(demo, bidding_opens_at=(timezone.now() + timedelta(minutes=5)).isoformat())
    move_deadline_into_past(overdue)
    RFQ.objects.filter(pk=waiting).update(bidding_opens_at=timezone.now() - timedelta(seconds=1))
    beat = InProcessBeat()
    assert set(beat.entries) == set(settings.CELERY_BEAT_SCHEDULE)
    assert {"close-overdue-rfqs", "open-due-rfqs"} <= set(beat.run_due())
    assert RFQ.objects.get(pk=overdue).status == "closed"
    assert RFQ.objects.get(pk=running).status == "open"
    assert RFQ.objects.get(pk=waiting).status == "open"


def test_an_entry_runs_again_only_when_its_schedule_says_so(demo):
    beat = InProcessBeat({
        "sweep": {"task": "procurement.tasks.close_overdue_rfqs", "schedule": 3600.0},
        "nightly": {"task": "procurement.tasks.open_due_rfqs", "schedule": crontab(hour=3, minute=0)},
    })
    assert beat.run_due() == ["sweep", "nightly"]  # the first tick runs everything once
    assert beat.run_due() == []
    beat.last_run["sweep"] -= timedelta(hours=2)
    assert beat.run_due() == ["sweep"]


def test_a_failing_job_does_not_stop_the_others(demo, monkeypatch):
    from procurement import tasks

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(tasks.close_overdue_rfqs, "run", broken)
    overdue = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    beat = InProcessBeat({
        "broken": {"task": "procurement.tasks.close_overdue_rfqs", "schedule": 1.0},
        "open": {"task": "procurement.tasks.open_due_rfqs", "schedule": 1.0},
    })
    assert beat.run_due() == ["broken", "open"]
    assert RFQ.objects.get(pk=overdue).status == "open"
