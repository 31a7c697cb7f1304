"""What each person may see of RFQs. API, pages, WebSocket and admin all ask here."""
from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from common.errors import Forbidden, NotFound
from suppliers.models import Invitation
from suppliers.selectors import SUPPLIER_VISIBLE_INVITATION

from .models import RFQ, RFQStatus


def rfq_visible_to(user) -> QuerySet:
    """Buyers: their organisation's RFQs. Suppliers: RFQs they were sent an invitation to.
    Compliance: all. Anyone else: none."""
    qs = RFQ.objects.select_related("buyer_organization", "category", "delivery_port")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_buyer:
        return qs.filter(buyer_organization_id=user.buyer_organization_id)
    if user.is_supplier:
        invited = Invitation.objects.filter(rfq=OuterRef("pk"), supplier_id=user.supplier_id,
                                            status__in=SUPPLIER_VISIBLE_INVITATION)
        return qs.filter(Exists(invited)).exclude(status=RFQStatus.DRAFT)
    if user.is_compliance:
        return qs
    return qs.none()


def rfq_get(*, user, pk: int, with_line_items: bool = True) -> RFQ:
    """The RFQ if the user may see it; otherwise 404, so existence is not leaked."""
    qs = rfq_visible_to(user)
    try:
        return (qs.prefetch_related("line_items") if with_line_items else qs).get(pk=pk)
    except (RFQ.DoesNotExist, ValueError, TypeError):
        raise NotFound("RFQ not found.") from None


def rfq_get_for_buyer_action(*, user, pk: int) -> RFQ:
    """An RFQ the user may act on as its buyer: 404 if unseen, 403 if seen but not theirs to run."""
    rfq = rfq_get(user=user, pk=pk)
    if not (user.is_buyer and rfq.buyer_organization_id == user.buyer_organization_id):
        raise Forbidden("Only the buyer organisation that owns this RFQ can do that.")
    return rfq


def rfq_list(*, user, status: str | None = None) -> QuerySet:
    qs = rfq_visible_to(user).prefetch_related("line_items")
    return qs.filter(status=status) if status else qs


def rfq_invitation_of(*, user, rfq) -> Invitation | None:
    if not user.is_supplier:
        return None
    return rfq.invitations.filter(supplier_id=user.supplier_id).first()


def reserve_visible_to(*, user, rfq) -> bool:
    """Buyers and compliance see the reserve; suppliers only when it is disclosed."""
    if not rfq.reserve_enabled:
        return False
    return not user.is_supplier or rfq.reserve_visibility != "hidden"
