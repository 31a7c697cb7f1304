"""The compliance desk on the admin's index: what waits, counted by the selectors, each count a
link to the change list holding exactly those rows."""
from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from audit.models import (
    AlertSeverity,
    Certification,
    ComplianceReviewItem,
    ComplianceSample,
    FairnessReport,
    GamingAlert,
    Recommendation,
    ReviewStatus,
)
from oversight import selectors
from rfqs.models import RFQ, RFQStatus
from suppliers.models import KycStatus, SupplierCompany
from tests.factories import RFQFactory, SupplierCompanyFactory


@pytest.fixture
def officer(demo, client):
    client.force_login(demo.user("compliance"))
    return client


def _rfq(status: str) -> RFQ:
    rfq = RFQFactory()
    RFQ.objects.filter(pk=rfq.pk).update(status=status)
    return RFQ.objects.get(pk=rfq.pk)


def _alert(rfq: RFQ, severity: str, *, key: str, updated: datetime.datetime) -> GamingAlert:
    return GamingAlert.objects.create(rfq=rfq, detector="shared_ip", key=key, severity=severity, summary="s",
                                      raised_at=updated, updated_at=updated)


def _report(rfq: RFQ, *, required: bool) -> FairnessReport:
    return FairnessReport.objects.create(rfq=rfq, generated_at=timezone.now(), content_hash="0" * 64, data={
        "compliance": {"award_gate": {"required": required, "blocked": required, "reasons": ["high-value"]}}})


def _certify(rfq: RFQ, officer, at: datetime.datetime) -> None:
    Certification.objects.create(rfq=rfq, officer=officer, officer_name=officer.username, at=at,
                                 recommendation=Recommendation.REVIEW, report_version=1)


@pytest.fixture
def waiting(demo):
    """Rows that wait and rows that look alike but do not, for each line of the desk."""
    now, officer = timezone.now(), demo.user("compliance")
    SupplierCompanyFactory(kyc_status=KycStatus.SUBMITTED)  # plus the demo's supplier5
    SupplierCompanyFactory(kyc_status=KycStatus.VERIFIED)
    alerted, certified = _rfq(RFQStatus.EVALUATION), _rfq(RFQStatus.EVALUATION)
    open_high = _alert(alerted, AlertSeverity.HIGH, key="a", updated=now)
    _alert(alerted, AlertSeverity.MEDIUM, key="b", updated=now)  # not high
    _alert(certified, AlertSeverity.HIGH, key="c", updated=now - datetime.timedelta(hours=1))  # looked at since
    _certify(certified, officer, now)
    awaiting = _report(alerted, required=True)
    _report(certified, required=True)  # certified (review)
    _report(_rfq(RFQStatus.EVALUATION), required=False)  # the gate does not apply
    _report(_rfq(RFQStatus.CANCELLED), required=True)  # nothing left to award
    sample = ComplianceSample.objects.create(quarter="2026-Q1", seed=1, population=[], size=2, drawn_at=now)
    due = ComplianceReviewItem.objects.create(sample=sample, rfq=alerted)
    ComplianceReviewItem.objects.create(sample=sample, rfq=certified, status=ReviewStatus.REVIEWED)
    return {"kyc": set(SupplierCompany.objects.filter(kyc_status=KycStatus.SUBMITTED).values_list("pk", flat=True)),
            "alerts": {open_high.pk}, "reports": {awaiting.pk}, "samples": {due.pk}}


def test_selectors_pick_exactly_what_waits(waiting):
    assert set(selectors.suppliers_awaiting_kyc_review().values_list("pk", flat=True)) == waiting["kyc"]
    assert len(waiting["kyc"]) == 2
    assert set(selectors.gaming_alerts_open_high().values_list("pk", flat=True)) == waiting["alerts"]
    assert set(selectors.fairness_reports_awaiting_certification().values_list("pk", flat=True)) == waiting["reports"]
    assert set(selectors.compliance_items_due().values_list("pk", flat=True)) == waiting["samples"]


def _desk(body: str) -> dict[str, tuple[int, str]]:
    """{key: (count, link)} read off the index page."""
    lines = re.findall(r'data-testid="desk-(\w+)-count"\s+aria-label="[^"]*: (\d+)"', body)
    links = re.findall(r'<a href="([^"]+)" data-testid="desk-(\w+)-count"', body)
    hrefs = {key: href.replace("&amp;", "&") for href, key in links}
    return {key: (int(count), hrefs[key]) for key, count in lines}


def test_the_desk_counts_and_links_to_exactly_those_rows(officer, waiting):
    page = officer.get("/admin/")
    assert page.status_code == 200
    desk = _desk(page.content.decode())
    assert {key: count for key, (count, _) in desk.items()} == {key: len(rows) for key, rows in waiting.items()}
    for key, (_, url) in desk.items():
        listing = officer.get(url)
        assert listing.status_code == 200, url
        shown = {obj.pk for obj in listing.context["cl"].result_list}
        assert shown == waiting[key], (key, url)


def test_the_desk_shows_only_what_the_user_may_open(demo, client, waiting):
    from django.contrib.auth.models import Permission

    from tests.factories import ComplianceOfficerFactory

    clerk = ComplianceOfficerFactory()  # staff, outside the compliance group: only what it is given
    clerk.user_permissions.add(Permission.objects.get(codename="view_gamingalert"))
    client.force_login(clerk)
    desk = _desk(client.get("/admin/").content.decode())
    assert list(desk) == ["alerts"]
