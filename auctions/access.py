"""Who may see which RFQ, and what of it. API, pages, WebSocket and admin all ask here.

It sits below the engine and above suppliers and accounts (tests/architecture): it reads
roles and invitations, and every app that serves an RFQ asks it.
"""
from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, QuerySet
from rest_framework.authtoken.models import Token

from accounts.models import User
from common.db import instances, run_batch, select_columns
from common.errors import Forbidden, NotFound
from common.schema import in_bigint
from rfqs.models import RFQ, RFQStatus
from suppliers.models import Invitation, SupplierCompany
from suppliers.selectors import SUPPLIER_VISIBLE_INVITATION


def rfq_visible_to(user: User | AnonymousUser) -> QuerySet[RFQ]:
    """Buyers: their organisation's RFQs. Suppliers: RFQs they were sent an invitation to.
    Compliance: all. Anyone else: none."""
    qs = RFQ.objects.select_related("buyer_organization", "category", "delivery_port")
    if not isinstance(user, User):  # not signed in
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


def rfq_get(*, user: User | AnonymousUser, pk: int, with_line_items: bool = True) -> RFQ:
    """The RFQ if the user may see it; otherwise 404, so existence is not leaked."""
    qs = rfq_visible_to(user)
    try:
        return (qs.prefetch_related("line_items") if with_line_items else qs).get(pk=pk)
    except (RFQ.DoesNotExist, ValueError, TypeError):
        raise NotFound("RFQ not found.") from None


def rfq_for_bidding(*, user: User | AnonymousUser, pk: int | str,
                    prefetched: list[tuple] | None = None, fields: Sequence[str] | None = None) -> RFQ:
    """The RFQ a supplier bids on, with what the eligibility rules ask loaded in the same query.

    The bid hot path (architecture.md) reads the RFQ, the supplier's invitation and whether
    the supplier is qualified for the RFQ's category: one statement, no ORM compilation.
    Visibility is rfq_visible_to's rule for suppliers: an invitation they were sent, never a
    draft; anything else is 404. `prefetched`: the rows of bidding_statement_for_token, read
    with the request's authentication (the same statement, for the token's user); `fields`:
    the RFQ's fields those rows hold, when not all (the others are deferred: auctions.bidders).
    """
    pk = _bidding_pk(pk)
    if pk is None or not isinstance(user, User) or not user.is_supplier:
        raise NotFound("RFQ not found.")
    rows = prefetched if prefetched is not None else run_batch([(
        _bidding_sql("%s"), [user.supplier_id, user.supplier_id, pk])])[0]
    if not rows:
        raise NotFound("RFQ not found.")
    *columns, invitation_status, qualified = rows[0]
    # The two extra columns become attributes of the row, as BidContext reads them.
    rfq = instances(RFQ, [(*columns, invitation_status, bool(qualified))], fields,  # SQLite answers 0/1
                    extra=["bidder_invitation_status", "bidder_category_qualified"])[0]
    if rfq.status == RFQStatus.DRAFT or invitation_status not in SUPPLIER_VISIBLE_INVITATION:
        raise NotFound("RFQ not found.")
    return rfq


def bidding_statement_for_token(*, pk: int | str, token_key: str, rfq_columns: str | None = None,
                                extra: str = "") -> list[tuple[str, list]]:
    """rfq_for_bidding's statement for the supplier of the token `token_key` (none for an id
    that is no RFQ's), to run in the authentication's round trip: the bid hot path then
    reads the RFQ with no round trip of its own. `rfq_columns`: the RFQ's columns to select
    (alias `r`) instead of all; `extra`: more columns after the statement's own
    (auctions.bidders)."""
    pk = _bidding_pk(pk)
    if pk is None:
        return []
    token_table, user_table = Token._meta.db_table, User._meta.db_table
    supplier = (f"(SELECT u.supplier_id FROM {token_table} t JOIN {user_table} u ON u.id = t.user_id "
                f"WHERE t.key = %s)")
    return [(_bidding_sql(supplier, rfq_columns, extra), [token_key, token_key, pk])]


def _bidding_pk(pk: int | str) -> int | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return pk if in_bigint(pk) else None


def _bidding_sql(supplier: str, rfq_columns: str | None = None, extra: str = "") -> str:
    """The RFQ, the supplier's invitation status and its qualification for the category;
    `supplier` is the SQL of the supplier's id (a placeholder or a subquery)."""
    qualified = SupplierCompany.categories.through._meta
    return f"""SELECT {rfq_columns or select_columns(RFQ, "r")}, i.status,
                   EXISTS (SELECT 1 FROM {qualified.db_table} q
                           WHERE q.{qualified.get_field("suppliercompany").column} = {supplier}
                             AND q.{qualified.get_field("category").column} = r.category_id){extra}
              FROM {RFQ._meta.db_table} r
              LEFT JOIN {Invitation._meta.db_table} i ON i.rfq_id = r.id AND i.supplier_id = {supplier}
             WHERE r.id = %s"""


def rfq_get_for_buyer_action(*, user: User, pk: int) -> RFQ:
    """An RFQ the user may act on as its buyer: 404 if unseen, 403 if seen but not theirs to run."""
    rfq = rfq_get(user=user, pk=pk)
    if not (user.is_buyer and rfq.buyer_organization_id == user.buyer_organization_id):
        raise Forbidden("Only the buyer organisation that owns this RFQ can do that.")
    return rfq


def rfq_list(*, user: User | AnonymousUser, status: str | None = None) -> QuerySet[RFQ]:
    qs = rfq_visible_to(user).prefetch_related("line_items")
    return qs.filter(status=status) if status else qs


def rfq_invitation_of(*, user: User, rfq: RFQ) -> Invitation | None:
    if not user.is_supplier:
        return None
    return rfq.invitations.filter(supplier_id=user.supplier_id).first()


def reason_for_suppliers(rfq: RFQ) -> str:
    """The RFQ's last reason as suppliers may read it: where the reserve is hidden, a reason
    that speaks of the reserve (the evaluation's own "not met", or a buyer's words) would tell
    them one exists (product.md §4.4), so they read a neutral one."""
    reason = rfq.status_reason or ""
    if rfq.reserve_enabled and rfq.reserve_visibility == "hidden" and "reserve" in reason.lower():
        return "No award was made."
    return reason


def reserve_visible_to(*, user: User, rfq: RFQ) -> bool:
    """Buyers and compliance see the reserve; suppliers only when it is disclosed."""
    if not rfq.reserve_enabled:
        return False
    return not user.is_supplier or rfq.reserve_visibility != "hidden"
