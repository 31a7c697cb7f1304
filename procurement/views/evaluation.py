"""The evaluation page of a closed RFQ, and the decisions taken from it: award (the
recommended quote in one click, or another with a written reason) and reopen after no award.

The buyer that owns the RFQ and compliance read it (`evaluation_for`); other buyers get 404
from `rfq_get`, suppliers 403/404. Refused decisions come back as an error message.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from auctions.access import reserve_visible_to, rfq_get, rfq_get_for_buyer_action
from auctions.mechanisms import get_mechanism
from auctions.selectors import bids_for, evaluation_for
from common.errors import ApplicationError, Conflict
from common.local_format import local_time_text
from common.money import money_text
from common.pages import page_view
from oversight.reports.gate import award_gate
from rfqs.models import RFQStatus

from .. import services
from ..forms import AwardForm, CancelForm, ReopenForm, award_reason, manual_allocation
from . import evaluation_display as show
from .access import may_view_rfqs
from .allocation_display import allocation_context
from .display import line_items_for_display


def _context(request, rfq, evaluation) -> dict:
    user = request.user
    is_owner = user.is_buyer and rfq.buyer_organization_id == user.buyer_organization_id
    criteria = rfq.auction_settings.get("criteria", []) if rfq.auction_type == "MULTI_ATTRIBUTE" else []
    readable = bids_for(user=user, rfq=rfq)  # every bid, once the sealed ones are opened
    bids = {} if readable is None else {bid.pk: bid for bid in readable.prefetch_related("lines")}
    rows = show.ranking_rows(evaluation, rfq, bids, criteria)
    reserve_shown = reserve_visible_to(user=user, rfq=rfq)
    # The lowest total, whoever ranks first: under multi-attribute scoring the recommended
    # quote need not be the cheapest (and the reserve is judged on the lowest total).
    lowest = min(rows, key=lambda row: row["total_decimal"]) if rows else None
    best = lowest["total"] if lowest else None
    endorsed = [row for row in rows if row["endorsed"]]
    sealed = get_mechanism(rfq.auction_type).sealed
    totals = [row["total_decimal"] for row in rows]
    return {
        "rfq": rfq, "evaluation": evaluation, "is_owner": is_owner, "rows": rows, "criteria": criteria,
        "method_label": show.method_label(evaluation.method), "outcome_label": show.OUTCOME_LABELS[evaluation.outcome],
        "recommended": next((row for row in rows if row["recommended"]), None), "endorsed": endorsed,
        "lowest": lowest, "single_quote": len(rows) == 1,
        "others": [row for row in rows if not row["endorsed"]],
        "awarded": next((row for row in rows if row["awarded"]), None),
        "reserve": show.reserve_text(evaluation.reserve, rfq, best=best) if reserve_shown else None,
        "tie_sentences": show.tie_break_text(evaluation, rows),
        "pricing": show.pricing_text(evaluation, rfq, rows),
        "chart": show.comparison_chart(rows, rfq, reserve_shown=reserve_shown) if rows else None,
        "chart_narrow": show.comparison_chart(rows, rfq, reserve_shown=reserve_shown, narrow=True) if rows else None,
        "composition": show.composition_chart(rows, criteria) if criteria else None,
        "composition_narrow": show.composition_chart(rows, criteria, narrow=True) if criteria else None,
        "lines": show.line_comparison(rows, line_items_for_display(rfq), rfq.currency) if sealed else None,
        "bid_log": [{"bid": bid, "amount": money_text(bid.amount, rfq.currency)} for bid in reversed(list(bids.values()))]
        if not sealed else [],
        "spread": money_text(max(totals) - min(totals), rfq.currency) if len(totals) > 1 else None,
        "award_form": AwardForm(), "cancel_form": CancelForm(),
        "reopen_form": ReopenForm(initial={"bidding_deadline": _suggested_deadline(rfq)}, currency=rfq.currency),
        "can_cancel": is_owner and rfq.cancel._django_fsm.has_transition(rfq.status),
        "reserve_amount": money_text(rfq.reserve_amount, rfq.currency) if reserve_shown else None,
        "self_url": reverse("buyer-rfq-evaluation", args=[rfq.pk]),
        "award_gate": _award_gate(rfq, evaluation, endorsed) if rfq.status == RFQStatus.EVALUATION else None,
        **allocation_context(rfq, evaluation, line_items_for_display(rfq), bids),
    }


def _award_gate(rfq, evaluation, endorsed):
    """The certification gate as the one-click award would meet it (the service checks the
    chosen bid again at award time, so an override to a dearer quote is judged on its own total)."""
    totals = [row["total_decimal"] for row in endorsed]
    return award_gate(rfq=rfq, award_total=max(totals) if totals else None, evaluation=evaluation)


def _suggested_deadline(rfq):
    """A reopened window as long as the first one, from the next full hour."""
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    window = rfq.original_deadline - (rfq.opened_at or rfq.published_at or rfq.created_at)
    return start + max(window, timedelta(hours=1))


@page_view
def rfq_evaluation(request, pk: int):
    rfq = rfq_get(user=request.user, pk=pk)
    may_view_rfqs(request.user)
    try:
        evaluation = evaluation_for(user=request.user, rfq=rfq)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("buyer-rfq-detail", pk=rfq.pk)
    return render(request, "procurement/rfq_evaluation.html", _context(request, rfq, evaluation))


def _errors(form) -> str:
    return " ".join(" ".join(errors) for errors in form.errors.values())


@require_POST
@page_view
def rfq_award(request, pk: int):
    rfq = rfq_get_for_buyer_action(user=request.user, pk=pk)
    if request.POST.get("allocation"):
        return _award_allocation(request, rfq)
    form = AwardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("buyer-rfq-evaluation", pk=rfq.pk)
    try:
        rfq = services.rfq_award(rfq=rfq, user=request.user, bid_id=form.cleaned_data["bid_id"],
                                 reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        bid = rfq.awarded_bid
        if bid is None:  # the tie-break's split_award: the tied quotes share it (auctions/services/tie_split.py)
            names = ", ".join(sorted({p.supplier.name for p in rfq.award_payments.select_related("supplier")}))
            messages.success(request, f"{rfq.reference} is awarded in shares to the tied suppliers: {names}.")
            return redirect("buyer-rfq-evaluation", pk=rfq.pk)
        text = f"{rfq.reference} is awarded to {bid.supplier.name} ({money_text(bid.amount, rfq.currency)})."
        payment = evaluation_for(user=request.user, rfq=rfq).pricing.get("winner_payment")
        if payment is not None and not rfq.award_override and Decimal(payment) != bid.amount:
            text += f" Under second-price rules it is paid {money_text(payment, rfq.currency)}."
        if rfq.award_override:
            text += " Recorded as a manual override, with your reason."
        messages.success(request, text)
    return redirect("buyer-rfq-evaluation", pk=rfq.pk)


def _award_allocation(request, rfq):
    """The recommended allocation, or the buyer's own selection (quantities q_<bid>_<line>,
    bundles bundle_<bid>) as a manual override."""
    try:
        allocation = manual_allocation(rfq, request.POST)
        rfq = services.rfq_award(rfq=rfq, user=request.user, allocation=allocation,
                                 reason=award_reason(request.POST))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        text = f"{rfq.reference} is awarded: {rfq.award_payments.count()} supplier(s) told their lines and payment."
        if rfq.award_override:
            text += " Recorded as a manual override, with your reason."
        messages.success(request, text)
    return redirect("buyer-rfq-evaluation", pk=rfq.pk)


@require_POST
@page_view
def rfq_reopen(request, pk: int):
    rfq = rfq_get_for_buyer_action(user=request.user, pk=pk)
    form = ReopenForm(request.POST, currency=rfq.currency)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("buyer-rfq-evaluation", pk=rfq.pk)
    data = form.cleaned_data
    try:
        rfq = services.rfq_reopen(rfq=rfq, user=request.user, reason=data["reason"],
                                  bidding_deadline=data["bidding_deadline"], reserve_amount=data["reserve_amount"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("buyer-rfq-evaluation", pk=rfq.pk)
    messages.success(request, f"{rfq.reference} is open for bidding again until "
                              f"{local_time_text(rfq.bidding_deadline, 'd M Y H:i')}.")
    return redirect("buyer-rfq-detail", pk=rfq.pk)
