"""Clarifications: ask and answer (the rules are in the package docstring)."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_append
from common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from rfqs.models import RFQ, Clarification, RFQStatus
from suppliers import notifications
from suppliers.models import InvitationStatus

ASK_STATUSES = (RFQStatus.PUBLISHED, RFQStatus.OPEN, RFQStatus.PAUSED)
ASKING_INVITATIONS = (InvitationStatus.SENT, InvitationStatus.ACCEPTED)


def _text(value: str, *, field: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(f"The {field} must not be empty.")
    if len(text) > limit:
        raise ValidationFailed(f"The {field} must be at most {limit} characters.")
    return text


def clarification_ask(*, rfq: RFQ, user: User, question: str) -> Clarification:
    """An invited supplier's question. The caller checked the RFQ is visible (rfq_get)."""
    supplier_id = user.supplier_id if user.is_supplier else None
    if supplier_id is None:
        raise Forbidden("Only an invited supplier can ask a question.")
    if not rfq.invitations.filter(supplier_id=supplier_id, status__in=ASKING_INVITATIONS).exists():
        raise Forbidden("Only a supplier whose invitation is sent or accepted can ask a question.")
    if rfq.status not in ASK_STATUSES:
        raise Conflict("Questions can be asked only while the RFQ is published, open or paused.")
    text = _text(question, field="question", limit=Clarification.QUESTION_MAX)
    with transaction.atomic():
        item = Clarification.objects.create(rfq=rfq, asked_by_id=supplier_id, asked_by_user=user,
                                            question=text)
        audit_append(type="clarification.asked", actor=user, rfq=rfq,
                     payload={"clarification_id": item.pk, "supplier_id": supplier_id})
    return item


def clarification_answer(*, rfq: RFQ, user: User, clarification_id: int, answer: str,
                         publish: bool) -> Clarification:
    """The buyer's answer, to the asker only or published to every invited supplier."""
    if not (user.is_buyer and rfq.buyer_organization_id == user.buyer_organization_id):
        raise Forbidden("Only the buyer organisation that owns this RFQ can answer.")
    text = _text(answer, field="answer", limit=Clarification.ANSWER_MAX)
    with transaction.atomic():
        item = Clarification.objects.select_for_update().filter(rfq=rfq, pk=clarification_id).first()
        if item is None:
            raise NotFound("Clarification not found.")
        if item.answered_at is not None:
            raise Conflict("This question has already been answered.")
        now = timezone.now()
        item.answer, item.answered_at, item.answered_by = text, now, user
        item.published, item.published_at = publish, (now if publish else None)
        item.save(update_fields=["answer", "answered_at", "answered_by", "published", "published_at"])
        audit_append(type="clarification.answered", actor=user, rfq=rfq,
                     payload={"clarification_id": item.pk, "published": publish})
        if publish:
            notifications.notify_clarification_published(item)
        else:
            notifications.notify_clarification_answered(item)
    return item
