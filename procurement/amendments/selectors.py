"""Who sees what of an RFQ's amendments: everyone who may see the RFQ reads them all; a
supplier learns whether it acknowledged each, the buyer and compliance who did."""
from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from accounts.models import User
from rfqs.models import RFQ, Amendment, AmendmentAcknowledgement


def amendments_for(*, user: User, rfq: RFQ) -> list[dict[str, Any]]:
    """The RFQ's amendments, oldest first, as `user` may see them (the caller checked rfq_get)."""
    acknowledgements = AmendmentAcknowledgement.objects.select_related("supplier").order_by("acknowledged_at")
    if user.is_supplier:
        acknowledgements = acknowledgements.filter(supplier_id=user.supplier_id)
    amendments = rfq.amendments.prefetch_related(Prefetch("acknowledgements", queryset=acknowledgements))
    return [amendment_view(amendment, user=user) for amendment in amendments]


def amendment_view(amendment: Amendment, *, user: User) -> dict[str, Any]:
    view: dict[str, Any] = {"id": amendment.pk, "number": amendment.number, "reason": amendment.reason,
                            "changes": amendment.changes, "created_at": amendment.created_at}
    acknowledged = list(amendment.acknowledgements.all())
    if user.is_supplier:
        own = next((a for a in acknowledged if a.supplier_id == user.supplier_id), None)
        view["acknowledged_at"] = own.acknowledged_at if own else None
    else:
        view["acknowledgements"] = [{"supplier": {"id": a.supplier_id, "name": a.supplier.name},
                                     "acknowledged_at": a.acknowledged_at} for a in acknowledged]
    return view
