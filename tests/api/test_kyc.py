"""product.md §2 over the API: a supplier's KYC — documents uploaded and checked, the submission,
compliance's decisions and the platform audit stream that records them."""
import hashlib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role, User
from audit.models import PLATFORM_STREAM, AuditEvent
from procurement.management.commands.seed_demo import demo_pdf
from suppliers.models import Category, KycDocument, SupplierCompany

from .helpers import assert_error, create_draft, stored_counts

DOCUMENTS = "/api/v1/suppliers/me/kyc-documents/"
SUBMIT = "/api/v1/suppliers/me/kyc/submit/"
NEXT_YEAR = (timezone.localdate() + timedelta(days=365)).isoformat()
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def platform_events(since: int = 0):
    return list(AuditEvent.objects.filter(stream=PLATFORM_STREAM, seq__gt=since).order_by("seq"))


def platform_head() -> int:
    last = AuditEvent.objects.filter(stream=PLATFORM_STREAM).order_by("-seq").first()
    return last.seq if last else 0


@pytest.fixture
def newcomer(demo):
    """A supplier company that has just signed up: KYC not started, one user."""
    company = SupplierCompany.objects.create(name="Aegean Ship Supply", country="GR",
                                             contact_email="desk@aegean.example")
    company.categories.set(Category.objects.all())
    User.objects.create_user("newcomer", "newcomer@aegean.example", "quayside-demo", role=Role.SUPPLIER,
                             supplier=company)
    return company


@pytest.fixture
def newcomer_client(demo, newcomer):
    return demo.client("newcomer")


def upload(client, kind="certificate_of_incorporation", *, content=None, name="certificate.pdf",
           expires_on=NEXT_YEAR):
    data = {"kind": kind, "file": SimpleUploadedFile(name, demo_pdf(kind) if content is None else content)}
    if expires_on is not None:
        data["expires_on"] = expires_on
    return client.post(DOCUMENTS, data, format="multipart")


# --- KYC documents ------------------------------------------------------------------------

def test_upload_a_pdf(newcomer_client, newcomer):
    content = demo_pdf("Certificate of incorporation")
    head = platform_head()
    response = upload(newcomer_client, content=content, name="../../etc/My Certificate.pdf")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "certificate_of_incorporation"
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["expires_on"] == NEXT_YEAR
    assert body["original_name"] == "My Certificate.pdf"
    document = KycDocument.objects.get(pk=body["id"])
    assert document.supplier == newcomer
    assert "My Certificate" not in document.file.name and ".." not in document.file.name
    assert document.file.read() == content
    [event] = platform_events(head)
    assert (event.type, event.actor_name, event.payload["document_id"]) == \
        ("kyc.document_uploaded", "newcomer", document.pk)
    listed = newcomer_client.get(DOCUMENTS).json()
    assert [d["id"] for d in listed] == [document.pk]


def test_upload_a_png(newcomer_client):
    response = upload(newcomer_client, "tax_registration", content=PNG, name="scan.png", expires_on=None)
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "image/png"
    assert response.json()["expires_on"] is None


@pytest.mark.parametrize("content, name", [
    (b"This is not a PDF, only text.\n" * 10, "certificate.pdf"),
    (b"%PDX-1.4 almost", "certificate.pdf"),
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "certificate.pdf"),
    (b"<html><script>alert(1)</script></html>", "certificate.png"),
    (b"", "certificate.pdf"),
])
def test_upload_is_judged_by_content_not_name(newcomer_client, content, name):
    before = stored_counts()
    error = assert_error(upload(newcomer_client, content=content, name=name), 400, "invalid")
    assert "file" in error["fields"]
    assert stored_counts() == before


def test_oversized_upload_is_refused(newcomer_client, settings):
    settings.QUAYSIDE = {**settings.QUAYSIDE, "KYC_MAX_UPLOAD_BYTES": 600}
    content = demo_pdf("x" * 400)
    assert len(content) > 600
    before = stored_counts()
    error = assert_error(upload(newcomer_client, content=content), 400, "invalid")
    assert "limit" in " ".join(error["fields"]["file"])
    assert stored_counts() == before
    # Just under the limit is fine.
    settings.QUAYSIDE = {**settings.QUAYSIDE, "KYC_MAX_UPLOAD_BYTES": len(content)}
    assert upload(newcomer_client, content=content).status_code == 201


@pytest.mark.parametrize("expires_on", [timezone.localdate().isoformat(),
                                        (timezone.localdate() - timedelta(days=1)).isoformat(), "2001-01-01"])
def test_an_expired_document_is_refused(newcomer_client, expires_on):
    before = stored_counts()
    error = assert_error(upload(newcomer_client, "insurance", expires_on=expires_on), 400, "invalid")
    assert "expired" in " ".join(error["fields"]["expires_on"])
    assert stored_counts() == before


@pytest.mark.parametrize("kind", ["insurance", "iso_certificate", "class_certificate"])
def test_expiring_kinds_need_an_expiry_date(newcomer_client, kind):
    before = stored_counts()
    error = assert_error(upload(newcomer_client, kind, expires_on=None), 400, "invalid")
    assert "expiry" in " ".join(error["fields"]["expires_on"])
    assert stored_counts() == before


@pytest.mark.parametrize("data", [
    {"kind": "passport", "file": None, "expires_on": NEXT_YEAR},
    {"kind": "insurance", "expires_on": NEXT_YEAR},
    {"kind": "insurance", "file": None, "expires_on": "next year"},
])
def test_malformed_uploads_are_400(newcomer_client, data):
    if "file" in data:
        data = {**data, "file": SimpleUploadedFile("c.pdf", demo_pdf("c"))}
    before = stored_counts()
    assert_error(newcomer_client.post(DOCUMENTS, data, format="multipart"), 400, "invalid")
    assert stored_counts() == before


def test_upload_as_json_is_415(newcomer_client):
    response = newcomer_client.post(DOCUMENTS, {"kind": "insurance", "file": "JVBERi0xLjQ="}, format="json")
    assert_error(response, 415, "unsupported_media_type")


def test_only_suppliers_upload_kyc_documents(api):
    before = stored_counts()
    for username in ("buyer", "compliance"):
        assert_error(upload(api(username)), 403, "permission_denied")
        assert_error(api(username).post(SUBMIT, {}, format="json"), 403, "permission_denied")
    assert stored_counts() == before


# --- KYC submission and decisions -----------------------------------------------------------

def test_submit_without_the_required_documents_lists_them(newcomer_client, newcomer):
    before = stored_counts()
    error = assert_error(newcomer_client.post(SUBMIT, {}, format="json"), 400, "invalid")
    for label in ("Certificate of incorporation", "Tax registration", "Insurance"):
        assert label in error["message"]
    assert "documents" in error["fields"]
    assert upload(newcomer_client, "insurance").status_code == 201
    error = assert_error(newcomer_client.post(SUBMIT, {}, format="json"), 400, "invalid")
    assert "Insurance" not in error["message"] and "Tax registration" in error["message"]
    newcomer.refresh_from_db()
    assert newcomer.kyc_status == "NOT_STARTED"
    assert stored_counts()["kyc_states"] == before["kyc_states"]


def test_an_expired_document_does_not_count(newcomer_client, newcomer):
    for kind in ("certificate_of_incorporation", "tax_registration", "insurance"):
        assert upload(newcomer_client, kind).status_code == 201
    KycDocument.objects.filter(supplier=newcomer, kind="insurance").update(
        expires_on=timezone.localdate() - timedelta(days=1))
    error = assert_error(newcomer_client.post(SUBMIT, {}, format="json"), 400)
    assert "Insurance" in error["message"]


def test_the_kyc_life_cycle_is_audited_on_the_platform_stream(api, newcomer_client, newcomer):
    compliance = api("compliance")
    approve, reject = (f"/api/v1/suppliers/{newcomer.pk}/kyc/{action}/" for action in ("approve", "reject"))
    head = platform_head()
    assert newcomer_client.get("/api/v1/suppliers/me/").json()["kyc_status"] == "NOT_STARTED"
    # Nothing to decide before a submission.
    assert_error(compliance.post(approve, {}, format="json"), 409, "invalid_transition")
    for kind in ("certificate_of_incorporation", "tax_registration", "insurance"):
        assert upload(newcomer_client, kind).status_code == 201

    submitted = newcomer_client.post(SUBMIT, {}, format="json")
    assert submitted.status_code == 200 and submitted.json()["kyc_status"] == "SUBMITTED"
    assert submitted.json()["kyc_submitted_at"]
    assert_error(newcomer_client.post(SUBMIT, {}, format="json"), 409, "invalid_transition")

    rejected = compliance.post(reject, {"reason": "Insurance does not cover marine liability."}, format="json")
    assert rejected.status_code == 200 and rejected.json()["kyc_status"] == "REJECTED"
    assert newcomer_client.get("/api/v1/suppliers/me/").json()["kyc_decision_reason"] == \
        "Insurance does not cover marine liability."

    assert upload(newcomer_client, "insurance").status_code == 201
    resubmitted = newcomer_client.post(SUBMIT, {}, format="json")
    assert resubmitted.status_code == 200 and resubmitted.json()["kyc_status"] == "SUBMITTED"

    approved = compliance.post(approve, {"reason": "All in order."}, format="json")
    assert approved.status_code == 200 and approved.json()["kyc_status"] == "VERIFIED"
    newcomer.refresh_from_db()
    assert newcomer.kyc_reviewed_by.username == "compliance"

    events = platform_events(head)
    assert [e.type for e in events] == [
        "kyc.document_uploaded", "kyc.document_uploaded", "kyc.document_uploaded", "kyc.submitted",
        "kyc.rejected", "kyc.document_uploaded", "kyc.submitted", "kyc.verified"]
    assert [e.seq for e in events] == list(range(head + 1, head + 9))
    assert all(e.rfq_id is None and e.payload["supplier_id"] == newcomer.pk for e in events)
    decisions = [e for e in events if e.type in ("kyc.rejected", "kyc.verified")]
    assert [(e.actor_name, e.payload["reason"], e.payload["status"]) for e in decisions] == [
        ("compliance", "Insurance does not cover marine liability.", "REJECTED"),
        ("compliance", "All in order.", "VERIFIED")]
    assert {e.actor_name for e in events if e.type != "kyc.rejected" and e.type != "kyc.verified"} == {"newcomer"}



def test_a_verified_newcomer_can_be_invited_and_hears_of_each_decision(
        api, demo, newcomer_client, newcomer, django_capture_on_commit_callbacks):
    for kind in ("certificate_of_incorporation", "tax_registration", "insurance"):
        assert upload(newcomer_client, kind).status_code == 201
    assert newcomer_client.post(SUBMIT, {}, format="json").status_code == 200
    rfq_id = create_draft(demo)
    invite = {"supplier_ids": [newcomer.pk]}
    assert_error(api("buyer").post(f"/api/v1/rfqs/{rfq_id}/invitations/", invite, format="json"), 400)
    with django_capture_on_commit_callbacks(execute=True):
        approved = api("compliance").post(f"/api/v1/suppliers/{newcomer.pk}/kyc/approve/", {}, format="json")
    assert approved.status_code == 200
    [message] = mail.outbox
    assert set(message.to) == {"newcomer@aegean.example", "desk@aegean.example"}
    assert "Verified" in message.subject
    assert api("buyer").post(f"/api/v1/rfqs/{rfq_id}/invitations/", invite, format="json").status_code == 201
