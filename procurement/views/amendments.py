"""Amendments on the RFQ pages: the buyer's "Amend" form, the list on both pages, and the
supplier's banner with its acknowledgement (rules in procurement.amendments)."""
from __future__ import annotations

from datetime import UTC

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from auctions.access import rfq_get
from auctions.selectors.bidding import unacknowledged_amendments
from common.errors import ApplicationError, ValidationFailed, flatten_field_errors
from common.pages import page_view
from rfqs.models import RFQStatus
from suppliers.notifications import amendment_lines

from ..amendments.selectors import amendments_for
from ..amendments.services import AMEND_STATUSES, amendment_acknowledge, amendment_make
from ..forms.editor import line_items_initial
from ..forms.rfq import LineItemFormSet
from ..serializers import LineItemInput


def amendments_context(*, user, rfq, invitation=None) -> dict:
    """`amendments` (each with `lines`: its changes in words), the supplier's unacknowledged
    ones, and what the buyer may still amend."""
    items = amendments_for(user=user, rfq=rfq)
    for item in items:
        item["lines"] = amendment_lines(item["changes"])
    owner = user.is_buyer and rfq.buyer_organization_id == user.buyer_organization_id
    pending = (unacknowledged_amendments(rfq, user.supplier_id)
               if user.is_supplier and invitation is not None else [])
    can_amend_content = owner and rfq.status == RFQStatus.PUBLISHED
    return {"amendments": items, "amendments_pending": [i for i in items if i["number"] in pending],
            "can_amend": owner and rfq.status in AMEND_STATUSES,
            "can_amend_content": can_amend_content,
            "amend_items": (LineItemFormSet(prefix=LINES, initial=line_items_initial(rfq))
                            if can_amend_content else None),
            "invited_count": rfq.invitations.count() if owner else None}


LINES = "items"  # the amend form's line-item rows (the RFQ editor's row markup and script)


def _lines(post, rfq) -> list | None:
    """The line items the form sent, validated as the API validates them; None if the form
    had no line rows (bidding has opened)."""
    if f"{LINES}-TOTAL_FORMS" not in post:
        return None
    rows = LineItemFormSet(post, prefix=LINES)
    if not rows.is_valid():
        raise ValidationFailed(_line_problems(rows.errors) or "Keep at least one line item.")
    wanted = [{name: form.cleaned_data.get(name) or "" for name in ("description", "unit", "impa_code")}
              | {"quantity": format(form.cleaned_data["quantity"], "f")} for form in rows.kept_forms()]
    # The page edits no line ceilings (lots): each line keeps its own by position.
    prices = list(rfq.line_items.order_by("position").values_list("starting_price", flat=True))
    for index, row in enumerate(wanted):
        if index < len(prices) and prices[index] is not None:
            row["starting_price"] = format(prices[index].normalize(), "f")
    serializer = LineItemInput(data=wanted, many=True)
    if not serializer.is_valid():
        raise ValidationFailed(_line_problems(flatten_field_errors(serializer.errors, "line_items")))
    return serializer.validated_data


def _line_problems(errors) -> str:
    """The rows' problems in one sentence (the form's list of dicts, or flattened API errors)."""
    if isinstance(errors, list):
        problems = [f"line {n}: " + ", ".join(f"{name} — {messages[0]}" for name, messages in row.items())
                    for n, row in enumerate(errors, start=1) if row]
    else:
        problems = [f"{name}: {messages[0]}" for name, messages in errors.items()]
    return ("Check the line items: " + "; ".join(problems) + ".") if problems else ""


def _deadline(text: str):
    """The form's deadline: a `datetime-local` value, read as UTC (the pages show UTC)."""
    if not text:
        return None
    try:
        moment = parse_datetime(text)
    except ValueError:  # well formed, but no such moment (30 February, 25:00)
        moment = None
    if moment is None:
        raise ValidationFailed("Enter the new deadline as a date and time.")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@require_POST
@page_view
def amend(request, pk: int):
    rfq = rfq_get(user=request.user, pk=pk, with_line_items=False)
    data = {}
    try:
        deadline = _deadline(request.POST.get("bidding_deadline", "").strip())
        if deadline is not None:
            data["bidding_deadline"] = deadline
        if "description" in request.POST and request.POST["description"].strip() != rfq.description.strip():
            data["description"] = request.POST["description"].strip()
        lines = _lines(request.POST, rfq)
        if lines is not None:
            data["line_items"] = lines
        amendment = amendment_make(rfq=rfq, user=request.user, reason=request.POST.get("reason", ""), data=data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Amendment {amendment.number} was published; every invited supplier was "
                                  "e-mailed and must acknowledge it before bidding again.")
    return redirect("buyer-rfq-detail", pk=rfq.pk)


@require_POST
@page_view
def acknowledge(request, pk: int, number: int):
    rfq = rfq_get(user=request.user, pk=pk, with_line_items=False)
    try:
        amendment_acknowledge(rfq=rfq, user=request.user, number=number)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"You acknowledged amendment {number}.")
    return redirect("supplier-rfq", pk=rfq.pk)
