"""Compliance in the Django admin: the KYC review queue and decisions with reasons."""
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from audit.models import AuditEvent
from suppliers.models import KycStatus, SupplierCompany


@pytest.fixture
def officer(demo, client):
    client.force_login(demo.user("compliance"))
    return client


def test_review_queue_lists_only_submitted_suppliers(officer, demo):
    page = officer.get("/admin/suppliers/kycreviewqueue/")
    assert page.status_code == 200
    body = page.content.decode()
    assert demo.supplier(5).name in body  # SUBMITTED
    assert demo.supplier(1).name not in body  # VERIFIED
    assert demo.supplier(6).name not in body  # REJECTED


def test_approve_action_verifies_and_audits(officer, demo):
    supplier = demo.supplier(5)
    before = AuditEvent.objects.filter(type="kyc.verified").count()
    response = officer.post("/admin/suppliers/kycreviewqueue/", {
        "action": "approve_kyc", ACTION_CHECKBOX_NAME: [supplier.pk]}, follow=True)
    assert response.status_code == 200
    supplier.refresh_from_db()
    assert supplier.kyc_status == KycStatus.VERIFIED
    assert supplier.kyc_reviewed_by == demo.user("compliance")
    event = AuditEvent.objects.filter(type="kyc.verified").latest("id")
    assert AuditEvent.objects.filter(type="kyc.verified").count() == before + 1
    assert event.payload["supplier_id"] == supplier.pk and event.actor_name == "compliance"


def test_reject_action_asks_for_a_reason_first(officer, demo):
    supplier = demo.supplier(5)
    form = officer.post("/admin/suppliers/kycreviewqueue/", {
        "action": "reject_kyc", ACTION_CHECKBOX_NAME: [supplier.pk]})
    assert form.status_code == 200 and b"Reject with this reason" in form.content
    assert SupplierCompany.objects.get(pk=supplier.pk).kyc_status == KycStatus.SUBMITTED

    officer.post("/admin/suppliers/kycreviewqueue/", {
        "action": "reject_kyc", ACTION_CHECKBOX_NAME: [supplier.pk], "apply": "1",
        "reason": "Tax registration certificate is illegible."}, follow=True)
    supplier.refresh_from_db()
    assert supplier.kyc_status == KycStatus.REJECTED
    assert supplier.kyc_decision_reason == "Tax registration certificate is illegible."


def test_approving_an_already_verified_supplier_is_refused_with_a_message(officer, demo):
    supplier = demo.supplier(1)
    response = officer.post("/admin/suppliers/suppliercompany/", {
        "action": "approve_kyc", ACTION_CHECKBOX_NAME: [supplier.pk]}, follow=True)
    assert b"Cannot kyc approve" in response.content or b"allowed from" in response.content
    assert SupplierCompany.objects.get(pk=supplier.pk).kyc_status == KycStatus.VERIFIED


def test_buyer_cannot_reach_the_admin(demo, client):
    client.force_login(demo.user("buyer"))
    assert client.get("/admin/suppliers/kycreviewqueue/").status_code == 302  # to the admin login


def test_audit_trail_admin_is_read_only_and_reports_the_chain(officer):
    page = officer.get("/admin/audit/auditevent/")
    assert page.status_code == 200 and b"chain intact" in page.content
    assert officer.get("/admin/audit/auditevent/add/").status_code == 403


@pytest.mark.parametrize("management", [{"kyc_documents-TOTAL_FORMS": "1", "kyc_documents-INITIAL_FORMS": "abc"},
                                        {"kyc_documents-TOTAL_FORMS": "1"},
                                        {"kyc_documents-TOTAL_FORMS": "99999999999999999999",
                                         "kyc_documents-INITIAL_FORMS": "0"}])
def test_a_tampered_documents_form_is_shown_again_not_a_500(officer, demo, management):
    """The documents' inline management form posted wrong: the page comes back with the form's
    errors (its invented rows have no file to link to), and nothing changes."""
    supplier = demo.supplier(1)
    before = SupplierCompany.objects.get(pk=supplier.pk).kyc_status
    response = officer.post(f"/admin/suppliers/suppliercompany/{supplier.pk}/change/", management)
    assert response.status_code in (200, 302), response.status_code
    assert SupplierCompany.objects.get(pk=supplier.pk).kyc_status == before
