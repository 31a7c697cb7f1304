"""The demo a new user gets from `./quayside up` includes an auction that has already run, so
the fairness report, the award gate and certification are there to try."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command

from audit.models import AuditEvent, FairnessReport
from oversight.reports.gate import award_gate
from rfqs.models import RFQ

pytestmark = pytest.mark.django_db(transaction=True)  # the close's follow-up runs on commit

TITLE = "Hull coatings for MV Blue Horizon dry-docking"


def test_the_demo_has_a_finished_high_value_auction_awaiting_certification(capsys):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # idempotent
    assert "Subject:" not in capsys.readouterr().out  # the e-mails it sends are not printed
    rfq = RFQ.objects.get(title=TITLE)
    assert rfq.status == "evaluation" and str(rfq.best_amount) == "135700.0000"
    closed = AuditEvent.objects.get(rfq=rfq, type="rfq.close")
    assert closed.actor_name == "system"  # closed by the close job, like any other auction
    gate = award_gate(rfq=rfq)
    assert gate.blocked and "high-value" in gate.message
    # One seed (each takes seconds) serves both checks.
    ran_over_real_minutes_with_extensions_a_withdrawal_and_an_alert(rfq)


def ran_over_real_minutes_with_extensions_a_withdrawal_and_an_alert(rfq):
    from oversight.gaming.selectors import gaming_alerts_of

    events = list(AuditEvent.objects.filter(rfq=rfq).order_by("seq"))
    published = next(e for e in events if e.type == "rfq.publish")
    closed = next(e for e in events if e.type == "rfq.close")
    assert timedelta(minutes=60) < closed.at - published.at < timedelta(minutes=70)
    bids = [e for e in events if e.type == "bid.placed"]
    assert len(bids) == 8 and min(b.at - a.at for a, b in zip(bids, bids[1:], strict=False)) > timedelta(minutes=3)
    assert [e.type for e in events].count("bid.withdrawn") == 1
    extensions = [e for e in events if e.type == "deadline.extended"]
    assert rfq.extensions == len(extensions) == 2
    # The deadlines agree everywhere: published + 60 min, extended twice by 3 min, closed just after.
    assert str(rfq.original_deadline.isoformat())[:19] == str(published.payload["bidding_deadline"])[:19]
    assert rfq.bidding_deadline == rfq.original_deadline + timedelta(minutes=6)
    assert timedelta(0) <= closed.at - rfq.bidding_deadline < timedelta(seconds=5)
    assert all(a.at <= b.at for a, b in zip(events, events[1:], strict=False))  # the trail's times never go back
    assert any(alert.severity == "HIGH" for alert in gaming_alerts_of(rfq=rfq))
    from config.celery import app

    if app.conf.task_always_eager:  # with a broker the report job waits for a worker
        assert FairnessReport.objects.filter(rfq=rfq).exists()


def test_tests_can_leave_the_finished_auction_out():
    call_command("seed_demo", "--without-finished-auction", verbosity=0)
    assert not RFQ.objects.filter(title=TITLE).exists()
