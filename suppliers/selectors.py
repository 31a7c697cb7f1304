"""Reads about suppliers and invitations, scoped to what the caller may see."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import OrderBy
from django_countries import countries

from accounts.models import User
from common.errors import Forbidden, NotFound
from common.listing import QueryReader, reference_id

from .models import Invitation, InvitationStatus, KycDocument, KycStatus, SupplierCompany, Tier

if TYPE_CHECKING:
    from suppliers.types import RFQ

ACTIVE_INVITATION = [InvitationStatus.PENDING, InvitationStatus.SENT, InvitationStatus.ACCEPTED]
# Invitations a supplier can see: a pending one belongs to a draft the buyer may still change.
SUPPLIER_VISIBLE_INVITATION = [InvitationStatus.SENT, InvitationStatus.ACCEPTED, InvitationStatus.DECLINED]
COUNTRY_CODES = [code for code, _ in countries]
_TIER_RANK = Case(*(When(tier=tier, then=Value(rank)) for rank, tier in enumerate(Tier.values)),
                  output_field=IntegerField())
# ?ordering= fields and what they sort by: tiers by rank (pending, bronze, silver, gold), not by name.
SUPPLIER_ORDERING: dict[str, str | Case] = {
    "name": "name", "country": "country", "tier": _TIER_RANK, "kyc_status": "kyc_status",
    "performance_score": "performance_score", "created_at": "created_at"}
SUPPLIER_QUERY = ("search", "country", "tier", "kyc_status", "category", "ordering")
INVITATION_QUERY = ("search", "status", "ordering")
INVITATION_ORDERING: dict[str, str | Case] = {
    "sent_at": "sent_at", "bidding_deadline": "rfq__bidding_deadline", "title": "rfq__title", "status": "status"}


@dataclass(frozen=True)
class SupplierFilters:
    """GET /suppliers/'s and the supplier picker's search, filters and ordering."""

    search: str = ""
    country: str | None = None
    tier: str | None = None
    kyc_status: str | None = None
    category: str | None = None
    ordering: str | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> SupplierFilters:
        """Raises ValidationFailed naming every bad parameter."""
        read = QueryReader(params)
        filters = cls(search=read.text(), tier=read.choice("tier", Tier.values),
                      country=read.choice("country", COUNTRY_CODES, message="An ISO 3166-1 alpha-2 country code."),
                      kyc_status=read.choice("kyc_status", KycStatus.values), category=read.slug("category"),
                      ordering=read.ordering(SUPPLIER_ORDERING))
        read.done()
        return filters


def supplier_directory(*, user: User, filters: SupplierFilters | None = None) -> QuerySet[SupplierCompany]:
    """The supplier directory: buyers and compliance only."""
    if not (user.is_buyer or user.is_compliance):
        raise Forbidden("Only buyers and compliance officers can browse the supplier directory.")
    qs = SupplierCompany.objects.prefetch_related("categories", "ports")
    filters = filters or SupplierFilters()
    if filters.search:
        qs = qs.filter(name__icontains=filters.search)
    exact = {"country": filters.country, "tier": filters.tier, "kyc_status": filters.kyc_status,
             "categories__slug": filters.category}  # a slug names one category: no duplicate rows
    qs = qs.filter(**{lookup: value for lookup, value in exact.items() if value is not None})
    return qs.order_by(*_ordered(filters.ordering or "name", SUPPLIER_ORDERING))


def _ordered(ordering: str, columns: Mapping[str, str | Case]) -> list[str | OrderBy]:
    """An ?ordering= value as order_by() terms, the id breaking ties (stable pages)."""
    descending = ordering.startswith("-")
    column = columns[ordering.removeprefix("-")]
    if isinstance(column, str):
        return [f"-{column}" if descending else column, "-pk" if descending else "pk"]
    return [column.desc() if descending else column.asc(), "-pk" if descending else "pk"]


def supplier_countries() -> list[tuple[str, str]]:
    """The countries suppliers are in, (code, name) by name: the directory filter's choices."""
    codes = set(SupplierCompany.objects.values_list("country", flat=True).distinct())
    return [(code, name) for code, name in countries if code in codes]


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


def pending_invitations_no_longer_eligible(*, rfq: RFQ) -> list[str]:
    """Why each pending invitation may not be sent now: its supplier's KYC is no longer verified
    (expired, suspended) or it lost the RFQ's category since it was invited on the draft."""
    eligible = suppliers_eligible_for(rfq=rfq).values("pk")
    stale = (rfq.invitations.filter(status=InvitationStatus.PENDING).exclude(supplier__in=eligible)
             .select_related("supplier").order_by("supplier__name"))
    return [f"{i.supplier.name} can no longer be invited: {why_not_eligible(i.supplier, rfq)}. Revoke its invitation "
            "to publish." for i in stale]


def why_not_eligible(supplier: SupplierCompany, rfq: RFQ) -> str:
    """Why a supplier outside suppliers_eligible_for(rfq) is: its KYC, else the category."""
    return "its KYC is not verified" if not supplier.is_kyc_verified else f"it is not qualified for {rfq.category.name}"


def invitation_count_active(*, rfq: RFQ) -> int:
    return rfq.invitations.filter(status__in=ACTIVE_INVITATION).count()


@dataclass(frozen=True)
class InvitationFilters:
    """GET /invitations/'s and the invitation inbox's search, status and ordering."""

    search: str = ""
    status: str | None = None
    ordering: str | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> InvitationFilters:
        """Raises ValidationFailed naming every bad parameter."""
        read = QueryReader(params)
        filters = cls(search=read.text(), status=read.choice("status", SUPPLIER_VISIBLE_INVITATION),
                      ordering=read.ordering(INVITATION_ORDERING))
        read.done()
        return filters


def invitations_for_supplier(*, user: User, filters: InvitationFilters | None = None) -> QuerySet[Invitation]:
    """The invitations of the supplier's own company (never another's), narrowed by `filters`."""
    if not user.is_supplier:
        return Invitation.objects.none()
    qs = (Invitation.objects.filter(supplier=user.supplier, status__in=SUPPLIER_VISIBLE_INVITATION)
          .select_related("rfq", "rfq__buyer_organization", "rfq__delivery_port", "rfq__category"))
    filters = filters or InvitationFilters()
    if filters.search:
        pk = reference_id(filters.search)
        found = Q(rfq__title__icontains=filters.search) | Q(rfq__buyer_organization__name__icontains=filters.search)
        qs = qs.filter(found | Q(rfq_id=pk) if pk is not None else found)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by(*_ordered(filters.ordering or "-sent_at", INVITATION_ORDERING))


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
