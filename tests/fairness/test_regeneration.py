"""New facts regenerate the report: the award and a certification ask for the job once they
commit; the job takes the id and writes a new version only when the content changed."""
from decimal import Decimal

import pytest

from audit.models import AuditEvent, FairnessReport
from oversight.reports import tasks
from oversight.reports.stats import distribution
from tests.engine.helpers import bid, created, reverse_auction

from .helpers import close_and_evaluate, ok


@pytest.fixture
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.generate_fairness_report, "delay", lambda rfq_id: sent.append(rfq_id))
    return sent


@pytest.fixture
def evaluated(api, demo):
    rfq = reverse_auction(demo)
    created(bid(api, "supplier1", rfq, "9500.00"))
    winner = created(bid(api, "supplier2", rfq, "9300.00"))["id"]
    close_and_evaluate(api, rfq)
    return rfq, winner


def test_award_and_certification_queue_the_report_job_on_commit(api, evaluated, queued,
                                                                 django_capture_on_commit_callbacks):
    rfq, winner = evaluated
    with django_capture_on_commit_callbacks(execute=True):
        ok(api("compliance").post(f"/api/v1/rfqs/{rfq}/fairness-report/certify/", {"recommendation": "approve"},
                                  format="json"))
    assert queued == [rfq]
    with django_capture_on_commit_callbacks(execute=True):
        ok(api("buyer").post(f"/api/v1/rfqs/{rfq}/award/", {"bid_id": winner}, format="json"))
    assert queued == [rfq, rfq]


def test_the_job_writes_a_version_only_for_new_content(api, evaluated):
    rfq, winner = evaluated
    assert tasks.generate_fairness_report(rfq) == 1
    assert tasks.generate_fairness_report(rfq) == 1  # a duplicated job: same facts, nothing written
    assert AuditEvent.objects.filter(rfq_id=rfq, type="fairness.report_generated").count() == 1
    ok(api("buyer").post(f"/api/v1/rfqs/{rfq}/award/", {"bid_id": winner}, format="json"))
    assert tasks.generate_fairness_report(rfq) == 2
    report = FairnessReport.objects.get(rfq_id=rfq)
    assert report.data["outcome"]["winner"]["name"] == "Harbour Chandlers Pte"
    assert report.data["outcome"]["amount"] == "9300.00" and report.data["outcome"]["manual_override"] is False


def test_the_job_does_nothing_for_an_rfq_still_open(demo):
    rfq = reverse_auction(demo)
    assert tasks.generate_fairness_report(rfq) is None
    assert not FairnessReport.objects.filter(rfq_id=rfq).exists()


def test_fewer_than_four_quotes_are_not_tested_for_outliers():
    figures, fences = distribution([Decimal("100"), Decimal("101"), Decimal("900")], decimals=2)
    assert fences is None and figures["outlier_test_applied"] is False and figures["median"] == "101.00"
    empty, none = distribution([], decimals=2)
    assert none is None and empty["count"] == 0 and empty["median"] is None
