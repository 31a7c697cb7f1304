"""KYC services: each decision and its audit event commit together, or not at all."""
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Role, User
from audit.models import PLATFORM_STREAM, AuditEvent
from common.errors import Forbidden, InvalidTransition, ValidationFailed
from procurement.management.commands.seed_demo import demo_pdf
from suppliers import services
from suppliers.models import SupplierCompany

pytestmark = pytest.mark.django_db
REQUIRED = ["certificate_of_incorporation", "tax_registration", "insurance"]


@pytest.fixture
def officer():
    return User.objects.create_user("officer", password="x", role=Role.COMPLIANCE, is_staff=True)


@pytest.fixture
def company():
    return SupplierCompany.objects.create(name="Levant Marine Stores", country="CY")


@pytest.fixture
def member(company):
    return User.objects.create_user("levant", password="x", role=Role.SUPPLIER, supplier=company)


def upload_all(company, member, kinds=REQUIRED):
    expiry = timezone.localdate() + timedelta(days=90)
    for kind in kinds:
        services.kyc_document_upload(supplier=company, user=member, kind=kind,
                                     upload=ContentFile(demo_pdf(kind), name=f"{kind}.pdf"), expires_on=expiry)


def submitted(company, member):
    upload_all(company, member)
    return services.kyc_submit(supplier=company, user=member)


def platform_count() -> int:
    return AuditEvent.objects.filter(stream=PLATFORM_STREAM).count()


def test_each_step_appends_one_platform_event(company, member, officer):
    upload_all(company, member)
    assert platform_count() == 3
    services.kyc_submit(supplier=company, user=member)
    services.kyc_reject(supplier=company, officer=officer, reason=" Blurry scan. ")
    company.refresh_from_db()
    assert (company.kyc_status, company.kyc_decision_reason, company.kyc_reviewed_by) == \
        ("REJECTED", "Blurry scan.", officer)
    events = list(AuditEvent.objects.filter(stream=PLATFORM_STREAM).order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert [e.type for e in events][-2:] == ["kyc.submitted", "kyc.rejected"]
    assert events[-1].actor_id == officer.pk and events[-1].payload["reason"] == "Blurry scan."


def test_a_failure_after_the_audit_append_rolls_both_back(company, member, officer, monkeypatch):
    submitted(company, member)
    before = platform_count()

    def broken_mailer(supplier):
        raise RuntimeError("mail template missing")

    monkeypatch.setattr(services, "notify_kyc_decision", broken_mailer)
    with pytest.raises(RuntimeError):
        services.kyc_approve(supplier=company, officer=officer)
    company.refresh_from_db()
    assert company.kyc_status == "SUBMITTED"
    assert company.kyc_reviewed_by is None
    assert platform_count() == before


def test_a_failed_upload_leaves_no_event_and_no_document(company, member, monkeypatch):
    def broken_append(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "audit_append", broken_append)
    with pytest.raises(RuntimeError):
        upload_all(company, member, ["insurance"])
    assert company.kyc_documents.count() == 0
    assert platform_count() == 0


def test_refused_decisions_write_nothing(company, member, officer):
    with pytest.raises(InvalidTransition):  # not submitted yet
        services.kyc_approve(supplier=company, officer=officer)
    with pytest.raises(ValidationFailed):
        services.kyc_submit(supplier=company, user=member)  # no documents
    submitted(company, member)
    before = platform_count()
    with pytest.raises(ValidationFailed):
        services.kyc_reject(supplier=company, officer=officer, reason="  ")
    with pytest.raises(Forbidden):
        services.kyc_approve(supplier=company, officer=member)
    company.refresh_from_db()
    assert company.kyc_status == "SUBMITTED"
    assert platform_count() == before


def test_missing_documents_ignore_expired_ones(company, member):
    upload_all(company, member)
    assert services.kyc_missing_documents(company) == []
    company.kyc_documents.filter(kind="tax_registration").update(expires_on=timezone.localdate())
    assert services.kyc_missing_documents(company) == ["tax_registration"]
