"""Quote attachments: a supplier attaches files to its own bid while bidding is open. They are
sealed with the quote: encrypted at rest with the sealing keys, and nobody but the supplier
may see them (404) until the quote is opened at the close."""
from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet

from accounts.models import User
from auctions.access import rfq_get
from auctions.models import Bid, QuoteAttachment
from auctions.sealing import decrypt_bytes, encrypt_bytes
from audit.services import audit_append
from common.errors import Conflict, NotFound
from common.schema import in_bigint
from rfqs.models import RFQ, RFQStatus

from .attachments import attachment_check_upload, store_then_record, upload_name

AFTER_CLOSE = (RFQStatus.CLOSED, RFQStatus.EVALUATION, RFQStatus.AWARDED, RFQStatus.NO_AWARD)


def _opened(bid: Bid, rfq: RFQ) -> bool:
    """The buyer's side may read a bid's attachments once the bid itself is open to it."""
    return rfq.status in AFTER_CLOSE and (not bid.sealed_payload or bid.opened_at is not None)


def _bid_for(*, user: User, rfq_id: int, bid_id: int) -> tuple[RFQ, Bid]:
    """The bid whose attachments the user may see: their own company's, or (buyer side) an
    opened one of an RFQ they see. Anything else is 404, so a sealed quote's files are not
    even shown to exist."""
    rfq = rfq_get(user=user, pk=rfq_id, with_line_items=False)
    bid = Bid.objects.filter(rfq=rfq, pk=bid_id).first() if in_bigint(bid_id) else None
    if bid is None:
        raise NotFound("Bid not found.")
    own = user.is_supplier and bid.supplier_id == user.supplier_id
    if not own and (user.is_supplier or not _opened(bid, rfq)):
        raise NotFound("Bid not found.")
    return rfq, bid


def _open_for_files(rfq: RFQ) -> None:
    if rfq.status != RFQStatus.OPEN:
        raise Conflict("Files can be attached to a quote only while bidding is open.")


def quote_attachment_add(*, user: User, rfq_id: int, bid_id: int, title: str,
                         upload: UploadedFile[bytes]) -> QuoteAttachment:
    rfq, bid = _bid_for(user=user, rfq_id=rfq_id, bid_id=bid_id)
    if not (user.is_supplier and bid.supplier_id == user.supplier_id):
        raise NotFound("Bid not found.")
    _open_for_files(rfq)
    content_type, _extension = attachment_check_upload(upload)
    plaintext = upload.read()
    attachment = QuoteAttachment(bid=bid, title=title, original_name=upload_name(upload), content_type=content_type,
                                 size=len(plaintext), sha256=hashlib.sha256(plaintext).hexdigest(),
                                 uploaded_by=user)

    def record() -> None:
        locked = RFQ.objects.select_for_update(no_key=True).get(pk=rfq.pk)
        _open_for_files(locked)  # the close may have come while the file was sealed and written
        attachment.save()
        # Sealed: the trail records that a file was attached and its digest, not its name or title.
        audit_append(type="bid.attachment_added", actor=user, rfq=locked, payload={
            "bid_id": bid.pk, "supplier_id": bid.supplier_id, "attachment_id": attachment.pk,
            "size": attachment.size, "sha256": attachment.sha256})

    store_then_record(attachment, "sealed", ContentFile(encrypt_bytes(plaintext)), record)
    return attachment


def quote_attachments(*, user: User, rfq_id: int, bid_id: int) -> QuerySet[QuoteAttachment]:
    _rfq, bid = _bid_for(user=user, rfq_id=rfq_id, bid_id=bid_id)
    return QuoteAttachment.objects.filter(bid=bid)


def opened_quote_attachments(*, user: User, rfq: RFQ) -> QuerySet[QuoteAttachment]:
    """Every file with a quote on this RFQ that the buyer's side may read: the buyer
    organisation's and compliance's, of the opened bids (as `_opened`), none before the close.
    The caller checked the RFQ with rfq_get; a supplier's own files are on its page instead."""
    owner = user.is_buyer and rfq.buyer_organization_id == user.buyer_organization_id
    if not (owner or user.is_compliance) or rfq.status not in AFTER_CLOSE:
        return QuoteAttachment.objects.none()
    return (QuoteAttachment.objects.filter(bid__rfq=rfq)
            .filter(Q(bid__sealed_payload="") | Q(bid__opened_at__isnull=False))
            .select_related("bid__supplier").order_by("bid__supplier__name", "bid__version", "uploaded_at", "id"))


def quote_attachment_get(*, user: User, rfq_id: int, bid_id: int, pk: int) -> QuoteAttachment:
    try:
        return quote_attachments(user=user, rfq_id=rfq_id, bid_id=bid_id).get(pk=pk)
    except (QuoteAttachment.DoesNotExist, ValueError, TypeError):
        raise NotFound("Attachment not found.") from None


def quote_attachment_content(attachment: QuoteAttachment) -> bytes:
    """The decrypted bytes (the caller has been let through quote_attachment_get)."""
    with attachment.file.open("rb") as handle:
        return decrypt_bytes(handle.read())
