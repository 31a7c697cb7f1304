"""The "Questions and answers" panel on the supplier's and the buyer's RFQ pages.

Who sees what is procurement.clarifications' rule (the supplier never sees who asked
another question); these views only parse the form, call the service and redirect.
"""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from auctions.access import rfq_get
from common.errors import ApplicationError
from common.pages import page_view

from ..clarifications.selectors import clarification_view, clarifications_for
from ..clarifications.services import ASK_STATUSES, ASKING_INVITATIONS, clarification_answer, clarification_ask


def clarifications_context(*, user, rfq, invitation=None) -> dict:
    """`clarifications` (as this reader may see them), and whether it may ask or answer."""
    items = [clarification_view(c, user=user) for c in clarifications_for(user=user, rfq=rfq)]
    can_ask = (invitation is not None and invitation.status in ASKING_INVITATIONS and rfq.status in ASK_STATUSES)
    can_answer = user.is_buyer and rfq.buyer_organization_id == user.buyer_organization_id
    return {"clarifications": items, "can_ask_question": can_ask, "can_answer_question": can_answer}


@require_POST
@page_view
def question_ask(request, pk: int):
    rfq = rfq_get(user=request.user, pk=pk, with_line_items=False)
    try:
        clarification_ask(rfq=rfq, user=request.user, question=request.POST.get("question", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Your question was sent to the buyer. Only you and the buyer see who asked.")
    return redirect("supplier-rfq", pk=rfq.pk)


@require_POST
@page_view
def question_answer(request, pk: int, cid: int):
    rfq = rfq_get(user=request.user, pk=pk, with_line_items=False)
    publish = request.POST.get("publish") == "on"
    try:
        clarification_answer(rfq=rfq, user=request.user, clarification_id=cid,
                             answer=request.POST.get("answer", ""), publish=publish)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The answer was published to every invited supplier." if publish
                         else "The answer was sent to the supplier that asked.")
    return redirect("buyer-rfq-detail", pk=rfq.pk)
