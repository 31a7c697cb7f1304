"""KYC decisions from the supplier's own page in the admin, and the supplier list's filters."""
import pytest
from django.contrib.auth.models import Permission

from audit.models import AuditEvent
from suppliers.models import KycStatus, SupplierCompany
from tests.factories import ComplianceOfficerFactory, SupplierCompanyFactory


@pytest.fixture
def officer(demo, client):
    client.force_login(demo.user("compliance"))
    return client


def test_the_change_page_offers_the_decision_while_kyc_waits(officer, demo):
    waiting = officer.get(f"/admin/suppliers/suppliercompany/{demo.supplier(5).pk}/change/").content.decode()
    assert 'data-testid="kyc-approve-form"' in waiting and 'data-testid="kyc-reject-form"' in waiting
    assert f"/admin/suppliers/suppliercompany/{demo.supplier(5).pk}/kyc/approve/" in waiting
    from_queue = officer.get(f"/admin/suppliers/kycreviewqueue/{demo.supplier(5).pk}/change/").content.decode()
    assert f"/admin/suppliers/kycreviewqueue/{demo.supplier(5).pk}/kyc/approve/" in from_queue
    verified = officer.get(f"/admin/suppliers/suppliercompany/{demo.supplier(1).pk}/change/").content.decode()
    assert "kyc-approve-form" not in verified


@pytest.mark.parametrize("base", ["suppliercompany", "kycreviewqueue"])
def test_approve_from_the_change_page_verifies_and_audits(officer, demo, base):
    supplier = demo.supplier(5)
    response = officer.post(f"/admin/suppliers/{base}/{supplier.pk}/kyc/approve/", follow=True)
    assert response.redirect_chain[-1][0] == f"/admin/suppliers/suppliercompany/{supplier.pk}/change/"
    assert f"KYC of {supplier.name} approved." in response.content.decode()
    supplier.refresh_from_db()
    assert supplier.kyc_status == KycStatus.VERIFIED and supplier.kyc_reviewed_by == demo.user("compliance")
    event = AuditEvent.objects.filter(type="kyc.verified").latest("id")
    assert event.payload["supplier_id"] == supplier.pk and event.actor_name == "compliance"


def test_an_approval_from_the_change_page_keeps_its_reason(officer, demo):
    """product.md §2: compliance approves or rejects with a reason; approving's is optional."""
    supplier = demo.supplier(5)
    page = officer.get(f"/admin/suppliers/suppliercompany/{supplier.pk}/change/").content.decode()
    assert 'id="kyc-approve-reason"' in page
    officer.post(f"/admin/suppliers/suppliercompany/{supplier.pk}/kyc/approve/",
                 {"reason": " Registry extract checked by phone. "})
    event = AuditEvent.objects.filter(type="kyc.verified").latest("id")
    assert event.payload["reason"] == "Registry extract checked by phone."


def test_reject_from_the_change_page_needs_a_reason(officer, demo):
    supplier = demo.supplier(5)
    before = AuditEvent.objects.filter(type="kyc.rejected").count()
    refused = officer.post(f"/admin/suppliers/suppliercompany/{supplier.pk}/kyc/reject/", {"reason": "  "},
                           follow=True)
    assert "A rejection needs a reason" in refused.content.decode()
    assert SupplierCompany.objects.get(pk=supplier.pk).kyc_status == KycStatus.SUBMITTED

    officer.post(f"/admin/suppliers/suppliercompany/{supplier.pk}/kyc/reject/",
                 {"reason": "Insurance certificate expired."})
    supplier.refresh_from_db()
    assert supplier.kyc_status == KycStatus.REJECTED
    assert supplier.kyc_decision_reason == "Insurance certificate expired."
    event = AuditEvent.objects.filter(type="kyc.rejected").latest("id")
    assert AuditEvent.objects.filter(type="kyc.rejected").count() == before + 1
    assert event.payload["reason"] == "Insurance certificate expired." and event.actor_name == "compliance"


def test_a_decision_already_made_is_refused_with_a_message(officer, demo):
    supplier = demo.supplier(1)
    response = officer.post(f"/admin/suppliers/suppliercompany/{supplier.pk}/kyc/approve/", follow=True)
    assert response.status_code == 200 and b"messagelist" in response.content and b"approved." not in response.content
    assert SupplierCompany.objects.get(pk=supplier.pk).kyc_status == KycStatus.VERIFIED


def test_without_the_change_permission_the_decision_is_refused(demo, client):
    viewer = ComplianceOfficerFactory()  # staff, may view suppliers but not change them
    viewer.user_permissions.add(Permission.objects.get(codename="view_suppliercompany"))
    client.force_login(viewer)
    supplier = demo.supplier(5)
    page = client.get(f"/admin/suppliers/suppliercompany/{supplier.pk}/change/")
    assert page.status_code == 200 and b"kyc-approve-form" not in page.content
    assert client.post(f"/admin/suppliers/suppliercompany/{supplier.pk}/kyc/approve/").status_code == 403
    assert client.post(f"/admin/suppliers/suppliercompany/{supplier.pk}/kyc/reject/",
                       {"reason": "No."}).status_code == 403
    assert SupplierCompany.objects.get(pk=supplier.pk).kyc_status == KycStatus.SUBMITTED
    assert not AuditEvent.objects.filter(type__in=["kyc.verified", "kyc.rejected"], actor=viewer).exists()


def test_a_decision_is_a_post(officer, demo):
    assert officer.get(f"/admin/suppliers/suppliercompany/{demo.supplier(5).pk}/kyc/approve/").status_code == 405
    assert SupplierCompany.objects.get(pk=demo.supplier(5).pk).kyc_status == KycStatus.SUBMITTED


def test_country_filter_is_typed_not_a_link_per_country(officer, demo):
    norwegian = SupplierCompanyFactory(country="NO", name="Fjord Marine Supply")
    page = officer.get("/admin/suppliers/suppliercompany/").content.decode()
    assert 'data-testid="country-filter"' in page
    assert '<option value="NO">Norway</option>' in page
    assert '<option value="FR">' not in page  # only countries suppliers are in
    assert "?country=" not in page  # no link per country
    for typed in ("NO", "no", "Norway", "NORWAY"):
        listing = officer.get("/admin/suppliers/suppliercompany/", {"country": typed})
        assert [s.pk for s in listing.context["cl"].result_list] == [norwegian.pk], typed


def test_country_filter_keeps_the_other_filters(officer, demo):
    page = officer.get("/admin/suppliers/suppliercompany/", {"kyc_status__exact": "SUBMITTED", "q": "a"})
    body = page.content.decode()
    assert '<input type="hidden" name="kyc_status__exact" value="SUBMITTED">' in body
    assert '<input type="hidden" name="q" value="a">' in body
