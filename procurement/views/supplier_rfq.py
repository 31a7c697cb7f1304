"""An RFQ as an invited supplier sees it: what to quote on and under which rules.

Never shown here: other invited suppliers, and a hidden reserve (not even that one exists).
"""
from __future__ import annotations

from django.shortcuts import render

from accounts.models import Role
from auctions.access import reserve_visible_to, rfq_get, rfq_invitation_of
from auctions.selectors import OUTCOME_STATES, supplier_outcome
from common.money import money_text
from common.pages import page_view, require_role
from rfqs.models import RFQStatus
from suppliers.forms import DeclineForm
from suppliers.models import InvitationStatus

from .amendments import amendments_context
from .attachments import attachments_context, quote_attachments_context
from .bidding_panel import bidding_context
from .clarifications import clarifications_context
from .display import auction_summary, criteria_rows, line_items_for_display

ANSWERABLE_RFQ = (RFQStatus.PUBLISHED, RFQStatus.OPEN, RFQStatus.PAUSED)


def rfq_page(request, pk: int, *, bid_form=None, problems=None):
    """Render RFQ `pk` for the signed-in supplier: 404 unless invited, 403 for other roles.

    `bid_form` and `problems` re-show a refused bid with the rules' messages on its inputs."""
    rfq = rfq_get(user=request.user, pk=pk)
    require_role(request.user, Role.SUPPLIER, "This page shows an RFQ to an invited supplier.")
    invitation = rfq_invitation_of(user=request.user, rfq=rfq)
    reserve_shown = reserve_visible_to(user=request.user, rfq=rfq)
    bidding = bidding_context(request, rfq, invitation, form=bid_form, problems=problems)
    return render(request, "suppliers/rfq_detail.html", {
        "rfq": rfq, "invitation": invitation,
        "can_answer": (invitation is not None and invitation.status == InvitationStatus.SENT
                       and rfq.status in ANSWERABLE_RFQ),
        "decline_form": DeclineForm(),
        "line_items": line_items_for_display(rfq),
        "auction_rows": auction_summary(rfq, for_supplier=True),
        "criteria": criteria_rows(rfq.auction_settings),
        "reserve_shown": reserve_shown,
        "reserve_amount": money_text(rfq.reserve_amount, rfq.currency) if reserve_shown else None,
        "outcome": (supplier_outcome(rfq=rfq, supplier_id=request.user.supplier_id)
                    if invitation is not None and rfq.status in OUTCOME_STATES else None),
        **clarifications_context(user=request.user, rfq=rfq, invitation=invitation),
        **amendments_context(user=request.user, rfq=rfq, invitation=invitation),
        **bidding,
        **attachments_context(request.user, rfq, is_owner=False),
        **quote_attachments_context(request.user, rfq, bidding.get("latest")),
    })


@page_view
def rfq_detail(request, pk: int):
    return rfq_page(request, pk)
