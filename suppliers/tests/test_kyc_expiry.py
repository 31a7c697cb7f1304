"""KYC expiry (product.md §2, §5): documents near expiry warn the supplier once, by e-mail
and on its pages; an expired required document moves a verified supplier to EXPIRED, after
which its bids are refused and it cannot be invited."""
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from audit.models import PLATFORM_STREAM, AuditEvent
from procurement.management.commands.seed_demo import demo_pdf
from suppliers import services
from suppliers.models import KycDocument, KycStatus
from suppliers.tasks import kyc_expiry_daily
from tests.engine.helpers import bid, refused, reverse_auction
from tests.factories import rfq_payload

pytestmark = pytest.mark.django_db


def expire_on(supplier, kind: str, days_from_today: int) -> KycDocument:
    """Move a document's expiry date (documents are never edited by the product; tests may)."""
    document = supplier.kyc_documents.get(kind=kind)
    KycDocument.objects.filter(pk=document.pk).update(expires_on=timezone.localdate() + timedelta(days=days_from_today))
    document.refresh_from_db()
    return document


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the daily job as beat would, sending what it sends after commit."""
    def run_job():
        with django_capture_on_commit_callbacks(execute=True):
            return kyc_expiry_daily.apply().get()
    return run_job


def test_a_document_near_expiry_warns_once_by_email_and_on_every_supplier_page(demo, login, run):
    supplier = demo.supplier(1)
    document = expire_on(supplier, "insurance", 10)
    mail.outbox = []
    assert run() == {"warned": [supplier.pk], "expired": []}
    [message] = mail.outbox
    assert "supplier1@quayside.example" in message.to
    assert "Insurance" in message.body and "in 10 days" in message.body
    assert document.expires_on.strftime("%b %Y") in message.body
    event = AuditEvent.objects.get(type="kyc.expiry_warning")
    assert event.stream == PLATFORM_STREAM
    assert event.payload["supplier_id"] == supplier.pk
    assert event.payload["documents"] == [{"document_id": document.pk, "kind": "insurance",
                                           "expires_on": document.expires_on.isoformat()}]

    assert run() == {"warned": [], "expired": []}  # the next day's run: already warned
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(type="kyc.expiry_warning").count() == 1
    supplier.refresh_from_db()
    assert supplier.kyc_status == KycStatus.VERIFIED  # a warning, not yet an expiry

    client = login("supplier1")
    for path in ("/supplier/profile/", "/supplier/invitations/"):
        body = client.get(path).content.decode()
        assert 'data-testid="kyc-expiry-notice"' in body, path
        assert "Insurance" in body and "in 10 days" in body, path
    assert 'data-testid="kyc-expiry-notice"' not in login("supplier2").get("/supplier/profile/").content.decode()

    # A current upload supersedes the expiring document: the notice goes.
    services.kyc_document_upload(supplier=supplier, user=demo.user("supplier1"), kind="insurance",
                                 upload=ContentFile(demo_pdf("renewed"), name="insurance.pdf"),
                                 expires_on=timezone.localdate() + timedelta(days=400))
    assert 'data-testid="kyc-expiry-notice"' not in client.get("/supplier/profile/").content.decode()


def test_an_expired_required_document_expires_kyc_and_stops_bids_and_invitations(demo, api, run):
    rfq_id = reverse_auction(demo)  # open, supplier1 accepted
    supplier = demo.supplier(1)
    document = expire_on(supplier, "insurance", -1)
    mail.outbox = []
    assert run() == {"warned": [], "expired": [supplier.pk]}
    supplier.refresh_from_db()
    assert supplier.kyc_status == KycStatus.EXPIRED
    event = AuditEvent.objects.get(type="kyc.expired")
    assert event.stream == PLATFORM_STREAM and event.payload["status"] == "EXPIRED"
    assert event.payload["documents"] == [{"document_id": document.pk, "kind": "insurance",
                                           "expires_on": document.expires_on.isoformat()}]
    [message] = mail.outbox
    assert "supplier1@quayside.example" in message.to and "Expired" in message.body and "Insurance" in message.body

    assert run() == {"warned": [], "expired": []}  # idempotent
    assert AuditEvent.objects.filter(type="kyc.expired").count() == 1 and len(mail.outbox) == 1

    refused(bid(api, "supplier1", rfq_id, "9500.00"), "supplier_kyc_valid")
    draft = api("buyer").post("/api/v1/rfqs/", rfq_payload(), format="json").json()["id"]
    response = api("buyer").post(f"/api/v1/rfqs/{draft}/invitations/", {"supplier_ids": [supplier.pk]}, format="json")
    assert response.status_code == 400
    assert "KYC is not verified" in response.json()["error"]["message"]
    assert not supplier.invitations.filter(rfq_id=draft).exists()


def test_an_expiring_document_that_is_not_required_does_not_expire_kyc(demo, run):
    supplier = demo.supplier(2)
    services.kyc_document_upload(supplier=supplier, user=demo.user("supplier2"), kind="iso_certificate",
                                 upload=ContentFile(demo_pdf("ISO 9001"), name="iso.pdf"),
                                 expires_on=timezone.localdate() + timedelta(days=100))
    expire_on(supplier, "iso_certificate", -3)
    assert run() == {"warned": [], "expired": []}
    supplier.refresh_from_db()
    assert supplier.kyc_status == KycStatus.VERIFIED
    assert not AuditEvent.objects.filter(type="kyc.expired").exists()


def test_a_newer_document_of_the_kind_keeps_the_supplier_verified(demo, run):
    supplier = demo.supplier(3)
    services.kyc_document_upload(supplier=supplier, user=demo.user("supplier3"), kind="insurance",
                                 upload=ContentFile(demo_pdf("renewed"), name="insurance.pdf"),
                                 expires_on=timezone.localdate() + timedelta(days=200))
    old = supplier.kyc_documents.filter(kind="insurance").order_by("pk").first()
    KycDocument.objects.filter(pk=old.pk).update(expires_on=timezone.localdate())  # void from today
    assert run() == {"warned": [], "expired": []}
    supplier.refresh_from_db()
    assert supplier.kyc_status == KycStatus.VERIFIED


def test_the_daily_jobs_are_on_the_beat_schedule(settings):
    from celery.schedules import crontab

    from config.celery import app

    app.loader.import_default_modules()
    for name, task in (("kyc-expiry", "suppliers.tasks.kyc_expiry_daily"),
                       ("draw-compliance-sample", "oversight.compliance.tasks.draw_compliance_sample")):
        entry = settings.CELERY_BEAT_SCHEDULE[name]
        assert entry["task"] == task and task in app.tasks
        assert isinstance(entry["schedule"], crontab)
