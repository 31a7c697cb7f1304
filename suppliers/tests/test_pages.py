"""Supplier pages: profile and KYC, private documents, invitations, the invited RFQ page."""
from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from procurement.management.commands.seed_demo import demo_pdf
from rfqs.models import RFQ
from suppliers.models import Invitation, KycDocument, SupplierCompany
from tests.api.helpers import mentions_amount
from tests.factories import published_rfq


def flashes(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def pdf(name="cert.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, demo_pdf("test certificate"), content_type="application/pdf")


def in_a_year() -> str:
    return (timezone.localdate() + timedelta(days=365)).isoformat()


# --- Profile and KYC ------------------------------------------------------------------------

def test_profile_shows_company_kyc_status_and_documents(login):
    response = login("supplier1").get(reverse("supplier-profile"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Poseidon Marine Supply" in content and "Verified" in content
    assert [row["document"].kind for row in response.context["documents"]] == [
        "insurance", "tax_registration", "certificate_of_incorporation"]
    assert not response.context["can_submit"]


def test_rejected_supplier_sees_the_reason_and_may_resubmit(login):
    response = login("supplier6").get(reverse("supplier-profile"))
    assert b"Insurance certificate does not cover marine liability." in response.content
    assert response.context["can_submit"]


def test_profile_is_for_supplier_users(login):
    assert login("buyer").get(reverse("supplier-profile")).status_code == 403
    assert login("compliance").get(reverse("supplier-profile")).status_code == 403
    assert login(None).get(reverse("supplier-profile")).status_code == 302


def test_upload_a_document(login, demo):
    response = login("supplier1").post(reverse("supplier-profile"), {
        "kind": "iso_certificate", "file": pdf("iso9001.pdf"), "expires_on": in_a_year()}, follow=True)
    assert any("ISO certificate uploaded" in m for m in flashes(response))
    document = KycDocument.objects.get(supplier=demo.supplier(1), kind="iso_certificate")
    assert document.original_name == "iso9001.pdf" and document.content_type == "application/pdf"


def test_upload_problems_show_on_their_fields(login, demo):
    client = login("supplier1")
    fake = SimpleUploadedFile("invoice.pdf", b"just text, not a PDF", content_type="application/pdf")
    response = client.post(reverse("supplier-profile"), {"kind": "tax_registration", "file": fake})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "Upload a PDF, PNG or JPEG document (the content is checked, not the name)."]
    response = client.post(reverse("supplier-profile"), {"kind": "insurance", "file": pdf()})
    assert response.context["form"].errors["expires_on"] == ["This kind of document needs its expiry date."]
    assert demo.supplier(1).kyc_documents.count() == 3


def test_submit_for_review(login, demo):
    company = SupplierCompany.objects.create(name="New Chandler", country="GR")
    User.objects.create_user("newbie", password="x", role=Role.SUPPLIER, supplier=company)
    client = Client()
    client.force_login(User.objects.get(username="newbie"))
    refused = client.post(reverse("supplier-kyc-submit"), follow=True)
    assert any("Upload these documents first" in m for m in flashes(refused))
    for kind in ("certificate_of_incorporation", "tax_registration", "insurance"):
        client.post(reverse("supplier-profile"), {"kind": kind, "file": pdf(), "expires_on": in_a_year()})
    response = client.post(reverse("supplier-kyc-submit"), follow=True)
    assert any("submitted for review" in m for m in flashes(response))
    company.refresh_from_db()
    assert company.kyc_status == "SUBMITTED"
    assert b"waiting for review" in response.content


# --- KYC document download -------------------------------------------------------------------

def test_document_download_for_its_company_and_compliance_only(login, demo):
    document = demo.supplier(1).kyc_documents.first()
    url = reverse("kyc-document-download", args=[document.pk])
    response = login("supplier1").get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert login("compliance").get(url).status_code == 200
    for outsider in ("supplier2", "buyer", "buyer2"):
        assert login(outsider).get(url).status_code == 404
    anonymous = login(None).get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))


# --- Invitations ---------------------------------------------------------------------------

def test_inbox_groups_invitations(login):
    response = login("supplier1").get(reverse("supplier-invitations"))
    assert response.status_code == 200
    groups = {g["key"]: [inv.rfq.title for inv in g["invitations"]] for g in response.context["groups"]}
    assert "Fresh provisions for MV Blue Horizon" in groups["SENT"]
    assert groups["missed"] == ["Liferaft annual servicing"]  # cancelled before supplier1 answered
    assert b"Main engine spare parts" not in response.content  # a draft's pending invitation


def test_inbox_is_for_supplier_users(login):
    assert login("buyer").get(reverse("supplier-invitations")).status_code == 403


def test_accept_an_invitation(login, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2))
    invitation = Invitation.objects.get(rfq_id=rfq_id, supplier=demo.supplier(1))
    client = login("supplier1")
    page = client.get(reverse("supplier-invitation", args=[invitation.pk]))
    assert page.status_code == 200 and page.context["can_answer"]
    response = client.post(reverse("supplier-invitation-accept", args=[invitation.pk]), follow=True)
    invitation.refresh_from_db()
    assert invitation.status == "ACCEPTED"
    assert any("You accepted the invitation" in m for m in flashes(response))
    assert 'data-testid="invitation-status">Accepted<' in response.content.decode()


def test_decline_with_a_reason(login, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2))
    invitation = Invitation.objects.get(rfq_id=rfq_id, supplier=demo.supplier(2))
    login("supplier2").post(reverse("supplier-invitation-decline", args=[invitation.pk]),
                            {"reason": "No stock before the delivery date"})
    invitation.refresh_from_db()
    assert (invitation.status, invitation.decline_reason) == ("DECLINED", "No stock before the delivery date")


def test_answering_is_refused_once_the_rfq_is_cancelled(login, demo):
    invitation = Invitation.objects.get(rfq__title="Liferaft annual servicing", supplier=demo.supplier(1))
    response = login("supplier1").post(reverse("supplier-invitation-accept", args=[invitation.pk]), follow=True)
    assert any("can no longer be answered" in m for m in flashes(response))
    assert not response.context["can_answer"]


def test_someone_elses_invitation_is_404(login, demo):
    invitation = Invitation.objects.get(rfq__title="Fresh provisions for MV Blue Horizon", supplier=demo.supplier(2))
    assert login("supplier1").get(reverse("supplier-invitation", args=[invitation.pk])).status_code == 404
    assert login("supplier1").post(reverse("supplier-invitation-accept", args=[invitation.pk])).status_code == 404
    assert login("buyer").get(reverse("supplier-invitation", args=[invitation.pk])).status_code == 404
    pending = Invitation.objects.get(rfq__title="Main engine spare parts — MV Blue Dolphin", supplier=demo.supplier(1))
    assert login("supplier1").get(reverse("supplier-invitation", args=[pending.pk])).status_code == 404


# --- The RFQ as an invited supplier sees it --------------------------------------------------

def test_invited_supplier_sees_the_rfq_but_not_the_others_or_a_hidden_reserve(login, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2))  # hidden reserve of 9000.00
    response = login("supplier1").get(reverse("supplier-rfq", args=[rfq_id]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Rice 25kg" in content and "Flour 10kg" in content
    assert "Harbour Chandlers" not in content  # the other invited supplier
    assert not mentions_amount(content, "9000") and "Reserve" not in content
    assert not response.context["reserve_shown"]


def test_disclosed_reserve_is_shown(login, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), reserve_price={
        "enabled": True, "amount": "9000.00", "visibility": "disclosed",
        "auto_accept_if_met": False, "notify_buyer_if_not_met": True})
    response = login("supplier1").get(reverse("supplier-rfq", args=[rfq_id]))
    assert "USD 9,000.00" in response.content.decode()


def test_uninvited_supplier_gets_404_and_other_roles_403(login, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2))
    assert login("supplier3").get(reverse("supplier-rfq", args=[rfq_id])).status_code == 404
    assert login("buyer2").get(reverse("supplier-rfq", args=[rfq_id])).status_code == 404
    assert login("buyer").get(reverse("supplier-rfq", args=[rfq_id])).status_code == 403
    draft = RFQ.objects.get(title="Main engine spare parts — MV Blue Dolphin")
    assert login("supplier1").get(reverse("supplier-rfq", args=[draft.pk])).status_code == 404
