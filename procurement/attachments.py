"""RFQ attachments: the buyer uploads (checked by content, audited); whoever may see the RFQ
lists and downloads them (auctions.access decides; anybody else gets 404)."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet

from accounts.models import User
from auctions.access import rfq_get, rfq_get_for_buyer_action
from auctions.models import QuoteAttachment
from audit.services import audit_append
from common.errors import Conflict, NotFound, ValidationFailed
from common.uploads import size_label, sniff_upload
from rfqs.models import RFQ, RFQAttachment, RFQStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ALLOWED_ATTACHMENTS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg",
                       XLSX: ".xlsx", DOCX: ".docx", "text/plain": ".txt"}
ATTACHABLE = (RFQStatus.DRAFT, RFQStatus.PUBLISHED, RFQStatus.OPEN, RFQStatus.PAUSED)


def attachment_check_upload(upload: UploadedFile[bytes]) -> tuple[str, str]:
    """(content type, extension) of an acceptable upload; 400 with the reason otherwise."""
    limit = settings.QUAYSIDE["ATTACHMENT_MAX_UPLOAD_BYTES"]
    if not upload.size:
        problem = "The file is empty."
    elif upload.size > limit:
        problem = f"The file is {size_label(upload.size)}; the limit is {size_label(limit)}."
    elif (guessed := sniff_upload(upload, ALLOWED_ATTACHMENTS)) is not None:
        return guessed
    else:
        problem = "Attach a PDF, PNG, JPEG, XLSX, DOCX or plain-text/CSV file (the content is checked, not the name)."
    raise ValidationFailed("The attachment was not accepted.", fields={"file": [problem]})


def upload_name(upload: UploadedFile[bytes]) -> str:
    """The uploader's file name without any path (kept for display; never the stored name)."""
    return os.path.basename((upload.name or "attachment").replace("\\", "/"))[:255] or "attachment"


def store_then_record(attachment: RFQAttachment | QuoteAttachment, name: str, content: File[bytes],
                      record: Callable[[], None]) -> None:
    """Write the file first, outside any transaction: it may be tens of megabytes, and the
    auction row must never wait on a disk. Then `record` runs in one short transaction (lock,
    re-check, the row, its audit event). If that fails, the file goes too: no file without
    its row."""
    attachment.file.save(name, content, save=False)
    try:
        with transaction.atomic():
            record()
    except BaseException:
        attachment.file.delete(save=False)
        raise


def _attachable(rfq: RFQ) -> None:
    if rfq.status not in ATTACHABLE:
        raise Conflict(f"Files can be attached only before the close; this RFQ is {rfq.get_status_display()}.")


def rfq_attachment_add(*, user: User, rfq_id: int, title: str, upload: UploadedFile[bytes]) -> RFQAttachment:
    """Attach a file to an RFQ of the user's organisation while it is not yet closed."""
    rfq = rfq_get_for_buyer_action(user=user, pk=rfq_id)
    _attachable(rfq)
    content_type, extension = attachment_check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = RFQAttachment(rfq=rfq, title=title, original_name=upload_name(upload), content_type=content_type,
                               size=upload.size or 0, sha256=digest.hexdigest(), extension=extension,
                               uploaded_by=user)

    def record() -> None:
        locked = RFQ.objects.select_for_update(no_key=True).get(pk=rfq.pk)
        _attachable(locked)  # the close may have come while the file was written
        attachment.save()
        audit_append(type="rfq.attachment_added", actor=user, rfq=locked, payload={
            "attachment_id": attachment.pk, "title": title, "name": attachment.original_name,
            "content_type": content_type, "size": attachment.size, "sha256": attachment.sha256})

    store_then_record(attachment, attachment.original_name, upload, record)
    return attachment


def rfq_attachments(*, user: User, rfq_id: int) -> QuerySet[RFQAttachment]:
    """The attachments of an RFQ the user may see (404 otherwise)."""
    rfq = rfq_get(user=user, pk=rfq_id, with_line_items=False)
    return RFQAttachment.objects.filter(rfq=rfq).select_related("uploaded_by")


def rfq_attachment_get(*, user: User, rfq_id: int, pk: int) -> RFQAttachment:
    try:
        return rfq_attachments(user=user, rfq_id=rfq_id).get(pk=pk)
    except (RFQAttachment.DoesNotExist, ValueError, TypeError):
        raise NotFound("Attachment not found.") from None
