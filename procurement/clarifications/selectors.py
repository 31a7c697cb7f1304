"""Clarifications: who reads what (the package docstring has the rules)."""
from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import User
from rfqs.models import RFQ, Clarification


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
