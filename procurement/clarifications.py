"""Clarifications: a supplier asks the buyer privately; the buyer answers the asker or publishes.

Decisions (README "Clarifications"):
- Who may ask: a supplier whose invitation is SENT or ACCEPTED (a supplier that declined
  still sees the RFQ but no longer asks); the RFQ must be published, open or paused.
- Who answers: a buyer of the RFQ's organisation, once. A second answer is a 409: what was
  sent (to the asker or to everyone) cannot be taken back or silently changed.
- Who sees what (clarifications_for): the buyer's organisation and compliance see every
  question with the asker; a supplier sees its own questions (with any answer) and the
  published answers to other suppliers' questions, with no asker field at all.
- The audit events (`clarification.asked`, `clarification.answered`) are not live types, so
  they never reach suppliers through `/events/` or the WebSocket; the audit log itself is
  compliance-only.
"""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
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
    if not user.is_supplier:
        raise Forbidden("Only an invited supplier can ask a question.")
    if not rfq.invitations.filter(supplier_id=user.supplier_id, status__in=ASKING_INVITATIONS).exists():
        raise Forbidden("Only a supplier whose invitation is sent or accepted can ask a question.")
    if rfq.status not in ASK_STATUSES:
        raise Conflict("Questions can be asked only while the RFQ is published, open or paused.")
    text = _text(question, field="question", limit=Clarification.QUESTION_MAX)
    with transaction.atomic():
        item = Clarification.objects.create(rfq=rfq, asked_by_id=user.supplier_id, asked_by_user=user,
                                            question=text)
        audit_append(type="clarification.asked", actor=user, rfq=rfq,
                     payload={"clarification_id": item.pk, "supplier_id": user.supplier_id})
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


def clarifications_for(*, user: User, rfq: RFQ) -> QuerySet[Clarification]:
    """The clarifications the user may read (the caller checked the RFQ with rfq_get)."""
    qs = rfq.clarifications.select_related("asked_by")
    if user.is_supplier:
        return qs.filter(Q(asked_by_id=user.supplier_id) | Q(published=True))
    if user.is_compliance or (user.is_buyer and rfq.buyer_organization_id == user.buyer_organization_id):
        return qs
    return qs.none()


def clarification_view(item: Clarification, *, user: User) -> dict[str, Any]:
    """What one reader sees of one clarification. Only the buyer and compliance see the asker;
    a supplier sees `mine` (whether it asked) and nothing that names another asker."""
    body: dict[str, Any] = {
        "id": item.pk, "question": item.question, "asked_at": item.asked_at,
        "answer": item.answer or None, "answered_at": item.answered_at,
        "published": item.published, "published_at": item.published_at,
    }
    if user.is_supplier:
        body["mine"] = item.asked_by_id == user.supplier_id
    else:
        body["asked_by"] = {"id": item.asked_by_id, "name": item.asked_by.name}
    return body
