"""Writes for suppliers: KYC documents and decisions, invitations. Each audits itself."""
from __future__ import annotations

import datetime
import hashlib
import os
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_append
from common.errors import Conflict, Forbidden, ValidationFailed
from common.fsm import run_transition
from common.uploads import size_label, sniff_upload

from .models import Invitation, InvitationStatus, KycDocument, KycDocumentKind, SupplierCompany
from .notifications import notify_invitation_sent, notify_kyc_decision
from .selectors import ACTIVE_INVITATION, suppliers_eligible_for, why_not_eligible

if TYPE_CHECKING:
    from suppliers.types import RFQ

ALLOWED_UPLOADS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
# Kinds that prove something only while valid carry an expiry date.
EXPIRING_KINDS = {KycDocumentKind.ISO_CERTIFICATE, KycDocumentKind.CLASS_CERTIFICATE, KycDocumentKind.INSURANCE}


def _platform_payload(supplier: SupplierCompany, **extra: Any) -> dict[str, Any]:
    return {"supplier_id": supplier.pk, "supplier": supplier.name, **extra}


def kyc_document_check_upload(*, kind: str, upload: UploadedFile[bytes], expires_on: datetime.date | None) -> tuple[str, str]:
    """Validate an upload by content (not by its name) and size; return (content type, extension)."""
    problems: dict[str, list[str]] = {}
    limit = settings.QUAYSIDE["KYC_MAX_UPLOAD_BYTES"]
    if not upload.size:  # 0 (or None: a file object that cannot tell its size)
        problems["file"] = ["The file is empty."]
    elif upload.size > limit:
        problems["file"] = [f"The file is {size_label(upload.size)}; the limit is {size_label(limit)}."]
    else:
        guessed = sniff_upload(upload, ALLOWED_UPLOADS)
        if guessed is None:
            problems["file"] = ["Upload a PDF, PNG or JPEG document (the content is checked, not the name)."]
    if kind in EXPIRING_KINDS and expires_on is None:
        problems["expires_on"] = ["This kind of document needs its expiry date."]
    if expires_on is not None and expires_on <= timezone.localdate():
        problems["expires_on"] = ["The document has already expired."]
    if problems:
        raise ValidationFailed("The document was not accepted.", fields=problems)
    assert guessed is not None
    return guessed


@transaction.atomic
def kyc_document_upload(*, supplier: SupplierCompany, user: User, kind: str, upload: UploadedFile[bytes],
                        expires_on: datetime.date | None) -> KycDocument:
    content_type, extension = kyc_document_check_upload(kind=kind, upload=upload, expires_on=expires_on)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    document = KycDocument(
        supplier=supplier, kind=kind, original_name=os.path.basename(upload.name or "")[:255],
        content_type=content_type, size=upload.size or 0, sha256=digest.hexdigest(), extension=extension,
        expires_on=expires_on, uploaded_by=user,
    )
    document.file.save("upload", upload, save=False)
    document.save()
    audit_append(type="kyc.document_uploaded", actor=user, payload=_platform_payload(
        supplier, document_id=document.pk, kind=kind, sha256=document.sha256,
        expires_on=expires_on, size=document.size))
    return document


def kyc_missing_documents(supplier: SupplierCompany) -> list[str]:
    """Required kinds without a current (unexpired) document."""
    today = timezone.localdate()
    have = set()
    for doc in supplier.kyc_documents.all():
        if doc.expires_on is None or doc.expires_on > today:
            have.add(doc.kind)
    return [kind for kind in settings.QUAYSIDE["KYC_REQUIRED_DOCUMENTS"] if kind not in have]


def _locked_supplier(pk: int) -> SupplierCompany:
    return SupplierCompany.objects.select_for_update(no_key=True).get(pk=pk)


@transaction.atomic
def kyc_submit(*, supplier: SupplierCompany, user: User) -> SupplierCompany:
    supplier = _locked_supplier(supplier.pk)
    missing = kyc_missing_documents(supplier)
    if missing:
        labels = ", ".join(KycDocumentKind(kind).label for kind in missing)
        raise ValidationFailed(f"Upload these documents first: {labels}.", fields={"documents": [labels]})
    run_transition(supplier, "kyc_submit")
    supplier.kyc_submitted_at = timezone.now()
    supplier.save()
    audit_append(type="kyc.submitted", actor=user, payload=_platform_payload(
        supplier, documents=list(supplier.kyc_documents.values_list("pk", flat=True))))
    return supplier


def _kyc_decide(*, supplier: SupplierCompany, officer: User, transition: str, reason: str) -> SupplierCompany:
    if not getattr(officer, "is_compliance", False):
        raise Forbidden("Only compliance officers decide on KYC.")
    supplier = _locked_supplier(supplier.pk)
    run_transition(supplier, transition)
    supplier.kyc_reviewed_at = timezone.now()
    supplier.kyc_reviewed_by = officer
    supplier.kyc_decision_reason = reason
    supplier.save()
    audit_append(type=f"kyc.{supplier.kyc_status.lower()}", actor=officer,
                 payload=_platform_payload(supplier, status=supplier.kyc_status, reason=reason))
    notify_kyc_decision(supplier)
    return supplier


@transaction.atomic
def kyc_approve(*, supplier: SupplierCompany, officer: User, reason: str = "") -> SupplierCompany:
    return _kyc_decide(supplier=supplier, officer=officer, transition="kyc_approve", reason=reason)


@transaction.atomic
def kyc_reject(*, supplier: SupplierCompany, officer: User, reason: str) -> SupplierCompany:
    if not reason.strip():
        raise ValidationFailed("A rejection needs a reason the supplier can act on.",
                               fields={"reason": ["This field is required."]})
    return _kyc_decide(supplier=supplier, officer=officer, transition="kyc_reject", reason=reason.strip())


# --- Invitations -------------------------------------------------------------------------

INVITABLE_RFQ_STATES = ("draft", "published", "open", "paused")


def invitation_check_suppliers(*, rfq: RFQ, supplier_ids: list[int]) -> list[SupplierCompany]:
    """All-or-nothing: every id must be an existing, verified, category-qualified supplier."""
    ids = list(dict.fromkeys(supplier_ids))
    found = {s.pk: s for s in SupplierCompany.objects.filter(pk__in=ids)}
    eligible = set(suppliers_eligible_for(rfq=rfq).filter(pk__in=ids).values_list("pk", flat=True))
    problems = []
    for pk in ids:
        supplier = found.get(pk)
        if supplier is None:
            problems.append(f"Supplier {pk} does not exist.")
        elif pk not in eligible:
            problems.append(f"{supplier.name} (id {pk}) cannot be invited: {why_not_eligible(supplier, rfq)}.")
    if problems:
        raise ValidationFailed(" ".join(problems), fields={"supplier_ids": problems})
    return [found[pk] for pk in ids]


def _invitation_send(invitation: Invitation, *, actor: User | None) -> None:
    run_transition(invitation, "send")
    invitation.sent_at = timezone.now()
    invitation.save()
    audit_append(type="invitation.sent", actor=actor, rfq=invitation.rfq,
                 payload={"invitation_id": invitation.pk, "supplier_id": invitation.supplier_id,
                          "supplier": invitation.supplier.name})
    notify_invitation_sent(invitation)


@transaction.atomic
def invitation_create_many(*, rfq: RFQ, supplier_ids: list[int], user: User) -> list[Invitation]:
    """Invite suppliers. On a draft they wait for publication; later they are sent at once."""
    from rfqs.models import RFQ

    rfq = RFQ.objects.select_for_update(no_key=True).get(pk=rfq.pk)
    if rfq.status not in INVITABLE_RFQ_STATES:
        raise Conflict(f"Suppliers cannot be invited to an RFQ that is {rfq.get_status_display().lower()}.",
                       code="invalid_transition")
    suppliers = invitation_check_suppliers(rfq=rfq, supplier_ids=supplier_ids)
    existing = {inv.supplier_id: inv for inv in rfq.invitations.select_for_update(no_key=True)}
    result = []
    for supplier in suppliers:
        invitation = existing.get(supplier.pk)
        if invitation is not None and invitation.status in ACTIVE_INVITATION + [InvitationStatus.DECLINED]:
            result.append(invitation)  # already invited: inviting again changes nothing
            continue
        if invitation is None:
            invitation = Invitation.objects.create(rfq=rfq, supplier=supplier, invited_by=user)
        else:
            run_transition(invitation, "reinstate")
            invitation.invited_by = user
            invitation.save()
        audit_append(type="invitation.created", actor=user, rfq=rfq,
                     payload={"invitation_id": invitation.pk, "supplier_id": supplier.pk,
                              "supplier": supplier.name})
        if rfq.status != "draft":
            _invitation_send(invitation, actor=user)
        result.append(invitation)
    return result


def invitations_send_pending(*, rfq: RFQ, actor: User | None) -> int:
    """Send every pending invitation of `rfq`; called inside the publish transaction."""
    pending = list(rfq.invitations.select_for_update(no_key=True).filter(status=InvitationStatus.PENDING)
                   .select_related("supplier"))
    for invitation in pending:
        _invitation_send(invitation, actor=actor)
    return len(pending)


def _locked_invitation(pk: int) -> Invitation:
    return Invitation.objects.select_for_update(no_key=True, of=("self",)).select_related("rfq", "supplier").get(pk=pk)


@transaction.atomic
def invitation_respond(*, invitation: Invitation, user: User, accept: bool, reason: str = "") -> Invitation:
    if not (user.is_supplier and user.supplier_id == invitation.supplier_id):
        raise Forbidden("Only the invited supplier can answer this invitation.")
    invitation = _locked_invitation(invitation.pk)
    if invitation.rfq.status not in ("published", "open", "paused"):
        raise Conflict(f"The RFQ is {invitation.rfq.get_status_display().lower()}; "
                       "its invitations can no longer be answered.", code="invalid_transition")
    run_transition(invitation, "accept" if accept else "decline")
    invitation.responded_at = timezone.now()
    invitation.responded_by = user
    invitation.decline_reason = "" if accept else reason.strip()
    invitation.save()
    audit_append(type="invitation.accepted" if accept else "invitation.declined", actor=user,
                 rfq=invitation.rfq, payload={"invitation_id": invitation.pk,
                                              "supplier_id": invitation.supplier_id, "reason": reason})
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, user: User, reason: str = "") -> Invitation:
    invitation = _locked_invitation(invitation.pk)
    if invitation.rfq.status not in INVITABLE_RFQ_STATES:
        raise Conflict(f"The RFQ is {invitation.rfq.get_status_display().lower()}; its invitations can no "
                       "longer be revoked.", code="invalid_transition")
    run_transition(invitation, "revoke")
    invitation.save()
    audit_append(type="invitation.revoked", actor=user, rfq=invitation.rfq,
                 payload={"invitation_id": invitation.pk, "supplier_id": invitation.supplier_id,
                          "reason": reason})
    return invitation
