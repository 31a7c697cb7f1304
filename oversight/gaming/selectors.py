"""Who may read an RFQ's gaming alerts: its buyer organisation and compliance, never suppliers."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, IntegerField, QuerySet, Value, When

from accounts.models import User
from auctions.access import rfq_get
from audit.models import GamingAlert
from common.errors import Forbidden
from suppliers.models import SupplierCompany

if TYPE_CHECKING:
    from audit.types import RFQ


def gaming_alerts_may_see(*, user: User | AnonymousUser, rfq: RFQ) -> bool:
    return isinstance(user, User) and (user.is_compliance or (
        user.is_buyer and rfq.buyer_organization_id == user.buyer_organization_id))


def gaming_alerts_of(*, rfq: RFQ) -> QuerySet[GamingAlert]:
    """The RFQ's alerts, most severe first, then as raised (for pages already authorised)."""
    order = Case(When(severity="HIGH", then=Value(0)), When(severity="MEDIUM", then=Value(1)),
                 default=Value(2), output_field=IntegerField())
    return GamingAlert.objects.filter(rfq=rfq).order_by(order, "raised_at", "pk")


def gaming_alerts_for(*, user: User | AnonymousUser, rfq_id: int) -> QuerySet[GamingAlert]:
    """The alerts of an RFQ the user may see (404 otherwise); suppliers are refused (403)."""
    rfq = rfq_get(user=user, pk=rfq_id, with_line_items=False)
    if not gaming_alerts_may_see(user=user, rfq=rfq):
        raise Forbidden("Only the RFQ's buyer and compliance officers read its gaming alerts.")
    return gaming_alerts_of(rfq=rfq)


def gaming_alert_rows(*, user: User | AnonymousUser, rfq: RFQ) -> list[dict[str, Any]]:
    """For the buyer's monitor: each alert with its suppliers' names; nothing for anyone else."""
    if not gaming_alerts_may_see(user=user, rfq=rfq):
        return []
    alerts = list(gaming_alerts_of(rfq=rfq))
    names = dict(SupplierCompany.objects.filter(pk__in={i for a in alerts for i in a.supplier_ids})
                 .values_list("pk", "name"))
    return [{"alert": a, "suppliers": [names.get(i, f"#{i}") for i in a.supplier_ids]} for a in alerts]
