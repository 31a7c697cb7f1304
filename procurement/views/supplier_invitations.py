"""The supplier's invitation inbox, and answering an invitation."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Role
from common.errors import ApplicationError
from common.listing import page_query, paginate
from common.pages import page_view, require_role
from rfqs.models import RFQStatus
from suppliers import services
from suppliers.forms import DeclineForm
from suppliers.models import Invitation, InvitationStatus
from suppliers.selectors import (
    INVITATION_QUERY,
    SUPPLIER_VISIBLE_INVITATION,
    InvitationFilters,
    invitation_get_for_supplier,
    invitations_for_supplier,
)

from .supplier_rfq import ANSWERABLE_RFQ, rfq_page


def _group_of(invitation) -> str:
    # An unanswered invitation to an RFQ that was cancelled or has closed can no longer be
    # answered; it is history, not work waiting.
    if invitation.status == InvitationStatus.SENT and invitation.rfq.status not in ANSWERABLE_RFQ:
        return "missed"
    return invitation.status


# Only an RFQ whose deadline is still running counts down: a cancelled, closed or awarded one
# is over, and a paused one's deadline moves by the pause.
COUNTING_DOWN = (RFQStatus.PUBLISHED, RFQStatus.OPEN)


def _counts_down(invitation, now) -> bool:
    rfq = invitation.rfq
    return rfq.status in COUNTING_DOWN and rfq.bidding_deadline is not None and rfq.bidding_deadline > now


GROUPS = [
    (InvitationStatus.SENT, "Waiting for your answer"),
    (InvitationStatus.ACCEPTED, "Accepted"),
    (InvitationStatus.DECLINED, "Declined"),
    ("missed", "Closed before you answered"),
]


INVITATION_ORDERING_LABELS = [
    ("-sent_at", "Newest first"), ("sent_at", "Oldest first"), ("bidding_deadline", "Deadline, soonest first"),
    ("-bidding_deadline", "Deadline, latest first"), ("title", "Title A–Z"), ("status", "Status"),
]


@page_view
def invitation_list(request):
    require_role(request.user, Role.SUPPLIER, "The invitation inbox is for supplier users.")
    found = page_query(request, INVITATION_QUERY, InvitationFilters.from_query)
    if found.redirect:
        return redirect(found.redirect)
    invitations = Invitation.objects.none() if found.filters is None else invitations_for_supplier(
        user=request.user, filters=found.filters)
    page = paginate(request, invitations)
    now = timezone.now()
    for invitation in page:
        invitation.counts_down = _counts_down(invitation, now)
    groups = [{"key": key, "label": label,
               "invitations": [inv for inv in page if _group_of(inv) == key]} for key, label in GROUPS]
    return render(request, "suppliers/invitation_list.html", {
        "groups": groups, "total": page.paginator.count, "page": page, "supplier": request.user.supplier,
        "now": now, "filters": found.values, "errors": found.errors,
        "filtered": len(found.values) > ("page" in found.values),
        "statuses": [(status, status.label) for status in SUPPLIER_VISIBLE_INVITATION],
        "orderings": INVITATION_ORDERING_LABELS,
    }, status=400 if found.errors else 200)


@page_view
def invitation_detail(request, pk: int):
    invitation = invitation_get_for_supplier(user=request.user, pk=pk)
    return rfq_page(request, invitation.rfq_id)


def _respond(request, pk: int, *, accept: bool):
    invitation = invitation_get_for_supplier(user=request.user, pk=pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The reason is too long (at most 2,000 characters).")
        return redirect("supplier-invitation", pk=invitation.pk)
    try:
        services.invitation_respond(invitation=invitation, user=request.user, accept=accept,
                                    reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _answered(invitation.rfq, accept=accept))
    return redirect("supplier-invitation", pk=invitation.pk)


def _answered(rfq, *, accept: bool) -> str:
    if not accept:
        return f"You declined the invitation to {rfq.reference}."
    when = ("Bidding is open now." if rfq.status == "open"
            else "Bidding is paused for now." if rfq.status == "paused" else "You can bid once bidding opens.")
    return f"You accepted the invitation to {rfq.reference}. {when}"


@require_POST
@page_view
def invitation_accept(request, pk: int):
    return _respond(request, pk, accept=True)


@require_POST
@page_view
def invitation_decline(request, pk: int):
    return _respond(request, pk, accept=False)
