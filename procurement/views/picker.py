"""The supplier picker: whom a buyer may invite to an RFQ, and why the others not."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from auctions.access import rfq_get_for_buyer_action
from common.errors import ApplicationError
from common.listing import PageQuery, page_query
from common.pages import page_view
from rfqs.models import RFQStatus
from suppliers import services as supplier_services
from suppliers.models import Category, InvitationStatus, KycStatus, Tier
from suppliers.selectors import (
    SUPPLIER_QUERY,
    SupplierFilters,
    invitations_for_rfq,
    supplier_countries,
    supplier_directory,
    suppliers_eligible_for,
)

from ..forms import InviteSuppliersForm, ReasonForm

SUPPLIER_ORDERING_LABELS = [("name", "Name A–Z"), ("-name", "Name Z–A"), ("-tier", "Tier, gold first"),
                            ("-performance_score", "Performance, best first"), ("country", "Country")]
INVITABLE = (RFQStatus.DRAFT, RFQStatus.PUBLISHED, RFQStatus.OPEN, RFQStatus.PAUSED)
REVOCABLE = [InvitationStatus.PENDING, InvitationStatus.SENT, InvitationStatus.ACCEPTED]


def _rows(rfq, suppliers) -> list[dict]:
    """Every supplier in the directory, eligible ones first, each with why it is (not) invitable."""
    eligible = set(suppliers_eligible_for(rfq=rfq).values_list("pk", flat=True))
    invited = {inv.supplier_id: inv for inv in invitations_for_rfq(rfq=rfq)
               if inv.status != InvitationStatus.REVOKED}
    rows = []
    for supplier in suppliers:
        if supplier.pk in eligible:
            why = ""
        elif not supplier.is_kyc_verified:
            why = f"KYC {supplier.get_kyc_status_display().lower()}: only verified suppliers can be invited"
        else:
            why = f"Not qualified for {rfq.category.name}"
        rows.append({"supplier": supplier, "eligible": not why, "why": why, "invitation": invited.get(supplier.pk),
                     "ports": list(supplier.ports.all()),
                     "serves_port": any(p.pk == rfq.delivery_port_id for p in supplier.ports.all())})
    rows.sort(key=lambda row: not row["eligible"])  # stable: the directory's order within each
    return rows


@page_view
def rfq_suppliers(request, pk: int):
    rfq = rfq_get_for_buyer_action(user=request.user, pk=pk)
    # The filter bar narrows what is shown; a POST is checked against the whole directory.
    found = page_query(request, SUPPLIER_QUERY, SupplierFilters.from_query) if request.method == "GET" else None
    if found and found.redirect:
        return redirect(found.redirect)
    if found and found.filters is None:
        suppliers = []
    else:
        suppliers = list(supplier_directory(user=request.user, filters=found.filters if found else None))
    form = InviteSuppliersForm(request.POST or None, suppliers=suppliers)
    if request.method == "POST" and form.is_valid():
        try:
            invitations = supplier_services.invitation_create_many(
                rfq=rfq, supplier_ids=form.cleaned_data["supplier_ids"], user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            names = ", ".join(inv.supplier.name for inv in invitations)
            when = "when you publish the RFQ" if rfq.status == RFQStatus.DRAFT else "now"
            messages.success(request, f"Invited {names}. They are e-mailed {when}.")
            return redirect("buyer-rfq-detail", pk=rfq.pk)
    return render(request, "procurement/rfq_suppliers.html", {
        "rfq": rfq, "form": form, "rows": _rows(rfq, suppliers), "invitable": rfq.status in INVITABLE,
        "selected": {str(v) for v in form["supplier_ids"].value() or []}, **_filter_context(found),
    }, status=400 if found and found.errors else 200)


def _filter_context(found: PageQuery | None) -> dict:
    values = found.values if found else {}
    return {"filters": values, "errors": found.errors if found else {}, "filtered": bool(values),
            "tiers": Tier.choices, "kyc_statuses": KycStatus.choices, "countries": supplier_countries(),
            "category_options": Category.objects.values_list("slug", "name"), "orderings": SUPPLIER_ORDERING_LABELS}


@require_POST
@page_view
def invitation_revoke(request, pk: int, invitation_id: int):
    rfq = rfq_get_for_buyer_action(user=request.user, pk=pk)
    invitation = get_object_or_404(invitations_for_rfq(rfq=rfq), pk=invitation_id)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        supplier_services.invitation_revoke(invitation=invitation, user=request.user, reason=reason)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The invitation of {invitation.supplier.name} is revoked.")
    return redirect("buyer-rfq-detail", pk=rfq.pk)
