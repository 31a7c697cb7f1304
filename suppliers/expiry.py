"""KYC documents expire (product.md §2, §5): suppliers are warned ahead of time, and a
verified supplier whose required document lapsed moves to EXPIRED. Run daily; both steps
are idempotent, so a job delivered twice changes nothing the second time.

A document is never edited: a newer upload of the same kind supersedes it. So each kind is
judged by its current document, the one valid longest (no expiry date beats any date).
"""
from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.services import audit_append
from common.fsm import run_transition

from .models import KycDocument, KycStatus, SupplierCompany
from .notifications import notify_kyc_expired, notify_kyc_expiry_warning

logger = logging.getLogger(__name__)


def _current_by_kind(documents) -> dict[str, KycDocument]:
    current: dict[str, KycDocument] = {}
    for doc in documents:
        best = current.get(doc.kind)
        if best is None or (best.expires_on is not None and (doc.expires_on is None or doc.expires_on > best.expires_on)):
            current[doc.kind] = doc
    return current


def kyc_documents_near_expiry(supplier: SupplierCompany, *, today: datetime.date | None = None) -> list[KycDocument]:
    """Current documents that are still valid but expire within the warning period, soonest first."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.QUAYSIDE["KYC_EXPIRY_WARNING_DAYS"])
    current = _current_by_kind(supplier.kyc_documents.all()).values()
    return sorted((d for d in current if d.expires_on and today < d.expires_on <= horizon),
                  key=lambda d: (d.expires_on, d.kind))


def kyc_lapsed_required(supplier: SupplierCompany, *, today: datetime.date | None = None) -> list[KycDocument]:
    """Current documents of required kinds that have expired (a document is void on its expiry date)."""
    today = today or timezone.localdate()
    required = settings.QUAYSIDE["KYC_REQUIRED_DOCUMENTS"]
    current = _current_by_kind(supplier.kyc_documents.filter(kind__in=required)).values()
    return sorted((d for d in current if d.expires_on and d.expires_on <= today), key=lambda d: d.kind)


def _described(documents) -> list[dict]:
    return [{"document_id": d.pk, "kind": d.kind, "expires_on": d.expires_on} for d in documents]


@transaction.atomic
def kyc_expiry_warn_supplier(*, supplier: SupplierCompany, today: datetime.date | None = None) -> list[KycDocument]:
    """E-mail the supplier about its documents near expiry it was not yet warned of; audited."""
    claimed = []
    for doc in kyc_documents_near_expiry(supplier, today=today):
        # A conditional update claims the warning, so a racing second run cannot send it too.
        if KycDocument.objects.filter(pk=doc.pk).filter(
                Q(expiry_warning_sent_for__isnull=True) | ~Q(expiry_warning_sent_for=F("expires_on"))
        ).update(expiry_warning_sent_for=F("expires_on")):
            claimed.append(doc)
    if claimed:
        audit_append(type="kyc.expiry_warning", payload={
            "supplier_id": supplier.pk, "supplier": supplier.name, "documents": _described(claimed),
            "warning_days": settings.QUAYSIDE["KYC_EXPIRY_WARNING_DAYS"]})
        notify_kyc_expiry_warning(supplier, claimed)
    return claimed


@transaction.atomic
def kyc_expire_supplier(*, supplier: SupplierCompany, today: datetime.date | None = None) -> bool:
    """VERIFIED → EXPIRED when a required document lapsed; audited and e-mailed. False if not due."""
    supplier = SupplierCompany.objects.select_for_update(no_key=True).get(pk=supplier.pk)
    lapsed = kyc_lapsed_required(supplier, today=today)
    if supplier.kyc_status != KycStatus.VERIFIED or not lapsed:
        return False
    run_transition(supplier, "kyc_expire")
    supplier.save()
    audit_append(type="kyc.expired", payload={
        "supplier_id": supplier.pk, "supplier": supplier.name, "status": supplier.kyc_status,
        "documents": _described(lapsed)})
    notify_kyc_expired(supplier, lapsed)
    return True


def kyc_expiry_run(*, today: datetime.date | None = None) -> dict[str, list[int]]:
    """The daily job: warn, then expire; one supplier failing does not stop the others."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.QUAYSIDE["KYC_EXPIRY_WARNING_DAYS"])
    result: dict[str, list[int]] = {"warned": [], "expired": []}
    # Candidates by a cheap query; the per-supplier steps decide on the current documents.
    near = SupplierCompany.objects.filter(kyc_documents__expires_on__gt=today,
                                          kyc_documents__expires_on__lte=horizon).distinct()
    lapsed = SupplierCompany.objects.filter(
        kyc_status=KycStatus.VERIFIED, kyc_documents__kind__in=settings.QUAYSIDE["KYC_REQUIRED_DOCUMENTS"],
        kyc_documents__expires_on__lte=today).distinct()
    for key, suppliers, step in (("warned", near, kyc_expiry_warn_supplier), ("expired", lapsed, kyc_expire_supplier)):
        for supplier in suppliers.order_by("pk"):
            try:
                if step(supplier=supplier, today=today):
                    result[key].append(supplier.pk)
            except Exception:
                logger.exception("KYC expiry (%s) failed for supplier %s", key, supplier.pk)
    return result
