"""The demo a new user gets from `./quayside up` includes an auction that has already run, so
the fairness report, the award gate and certification are there to try."""
from __future__ import annotations

import pytest
from django.core.management import call_command

from audit.models import AuditEvent, FairnessReport
from oversight.reports.gate import award_gate
from rfqs.models import RFQ

pytestmark = pytest.mark.django_db(transaction=True)  # the close's follow-up runs on commit

TITLE = "Hull coatings for MV Blue Horizon dry-docking"


def test_the_demo_has_a_finished_high_value_auction_awaiting_certification():
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # idempotent
    rfq = RFQ.objects.get(title=TITLE)
    assert rfq.status == "evaluation" and rfq.bid_count == 4 and str(rfq.best_amount) == "136900.0000"
    closed = AuditEvent.objects.get(rfq=rfq, type="rfq.close")
    assert closed.actor_name == "system"  # closed by the close job, like any other auction
    gate = award_gate(rfq=rfq)
    assert gate.blocked and "high-value" in gate.message
    from config.celery import app

    if app.conf.task_always_eager:  # with a broker the report job waits for a worker
        assert FairnessReport.objects.filter(rfq=rfq).exists()


def test_tests_can_leave_the_finished_auction_out():
    call_command("seed_demo", "--without-finished-auction", verbosity=0)
    assert not RFQ.objects.filter(title=TITLE).exists()
