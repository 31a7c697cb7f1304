"""Reads about suppliers and invitations, scoped to what the caller may see."""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from accounts.models import User
from common.errors import Forbidden, NotFound

from .models import Invitation, InvitationStatus, KycDocument, KycStatus, SupplierCompany

if TYPE_CHECKING:
    from suppliers.types import RFQ

ACTIVE_INVITATION = [InvitationStatus.PENDING, InvitationStatus.SENT, InvitationStatus.ACCEPTED]
# Invitations a supplier can see: a pending one belongs to a draft the buyer may still change.
SUPPLIER_VISIBLE_INVITATION = [InvitationStatus.SENT, InvitationStatus.ACCEPTED, InvitationStatus.DECLINED]


def supplier_directory(*, user: User, kyc_status: str | None = None,
                       category: str | None = None) -> QuerySet[SupplierCompany]:
    """The supplier directory: buyers and compliance only."""
    if not (user.is_buyer or user.is_compliance):
        raise Forbidden("Only buyers and compliance officers can browse the supplier directory.")
    qs = SupplierCompany.objects.prefetch_related("categories", "ports").order_by("name")
    if kyc_status:
        qs = qs.filter(kyc_status=kyc_status)
    if category:
        qs = qs.filter(categories__slug=category)
    return qs


def supplier_get(*, user: User, pk: int) -> SupplierCompany:
    if user.is_supplier:
        # A supplier sees only its own company.
        if user.supplier is None or user.supplier_id != pk:
            raise NotFound("Supplier not found.")
        return user.supplier
    try:
        return supplier_directory(user=user).get(pk=pk)
    except SupplierCompany.DoesNotExist:
        raise NotFound("Supplier not found.") from None


def suppliers_eligible_for(*, rfq: RFQ) -> QuerySet[SupplierCompany]:
    """Suppliers that may be invited to `rfq`: KYC-verified and qualified for its category."""
    return SupplierCompany.objects.filter(kyc_status=KycStatus.VERIFIED, categories=rfq.category).order_by("name")


def invitation_count_active(*, rfq: RFQ) -> int:
    return rfq.invitations.filter(status__in=ACTIVE_INVITATION).count()


def invitations_for_supplier(*, user: User) -> QuerySet[Invitation]:
    if not user.is_supplier:
        return Invitation.objects.none()
    return (Invitation.objects.filter(supplier=user.supplier, status__in=SUPPLIER_VISIBLE_INVITATION)
            .select_related("rfq", "rfq__buyer_organization", "rfq__delivery_port", "rfq__category")
            .order_by("-sent_at"))


def invitation_get_for_supplier(*, user: User, pk: int) -> Invitation:
    try:
        return invitations_for_supplier(user=user).get(pk=pk)
    except Invitation.DoesNotExist:
        raise NotFound("Invitation not found.") from None


def invitations_for_rfq(*, rfq: RFQ) -> QuerySet[Invitation]:
    return rfq.invitations.select_related("supplier").order_by("supplier__name")


def kyc_document_get(*, user: User, pk: int) -> KycDocument:
    """A KYC document for its own company's users and compliance; 404 for anybody else."""
    documents = KycDocument.objects.select_related("supplier")
    if user.is_supplier:
        documents = documents.filter(supplier_id=user.supplier_id)
    elif not user.is_compliance:
        documents = documents.none()
    try:
        return documents.get(pk=pk)
    except KycDocument.DoesNotExist:
        raise NotFound("Document not found.") from None
