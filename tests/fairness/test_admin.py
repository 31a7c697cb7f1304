"""Compliance officers find fairness reports in the admin, open the report page from there,
and certify there (with the permission their group holds); nobody else can."""
import pytest

from audit.models import Certification, FairnessReport
from tests.engine.helpers import bid, created, reverse_auction

from .helpers import close_and_evaluate, ok


@pytest.fixture
def report(api, demo):
    rfq = reverse_auction(demo)
    created(bid(api, "supplier1", rfq, "9500.00"))
    created(bid(api, "supplier2", rfq, "9300.00"))
    close_and_evaluate(api, rfq)
    ok(api("buyer").get(f"/api/v1/rfqs/{rfq}/fairness-report/"))  # generated on first read
    return FairnessReport.objects.get(rfq_id=rfq)


def test_compliance_opens_the_report_from_the_admin_and_certifies_there(login, report):
    officer = login("compliance")
    listing = officer.get("/admin/audit/fairnessreport/")
    assert listing.status_code == 200 and report.rfq.reference in listing.content.decode()
    change = officer.get(f"/admin/audit/fairnessreport/{report.pk}/change/").content.decode()
    assert f'href="/rfqs/{report.rfq_id}/fairness-report/"' in change
    assert f'href="/admin/audit/fairnessreport/{report.pk}/certify/"' in change
    certify = f"/admin/audit/fairnessreport/{report.pk}/certify/"
    assert officer.get(certify).status_code == 200
    response = officer.post(certify, {"recommendation": "approve", "findings": "Bids independent.\nNo alerts."})
    assert response.status_code == 302, response.content[:500]
    certification = Certification.objects.get(rfq_id=report.rfq_id)
    assert (certification.recommendation, certification.findings) == ("approve", ["Bids independent.", "No alerts."])
    assert certification.report_version == report.version


def test_others_cannot_reach_the_admin_certify_view(login, report):
    certify = f"/admin/audit/fairnessreport/{report.pk}/certify/"
    for user in ("buyer", "supplier1", None):
        response = login(user).post(certify, {"recommendation": "approve", "findings": ""})
        assert response.status_code == 302 and "/admin/login/" in response["Location"], user
    assert not Certification.objects.filter(rfq_id=report.rfq_id).exists()
