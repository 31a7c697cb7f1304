"""Upload forms: the buyer's for RFQ attachments, the supplier's for files with its quote (the
lists are on the RFQ pages; downloads go through the API's views, which check who is asking)."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from common.errors import Conflict, ValidationFailed
from common.pages import page_view
from rfqs.models import RFQStatus

from ..attachments import ATTACHABLE, rfq_attachment_add, rfq_attachments
from ..quote_attachments import AFTER_CLOSE, opened_quote_attachments, quote_attachment_add, quote_attachments


class AttachmentForm(forms.Form):
    title = forms.CharField(max_length=200)
    file = forms.FileField(allow_empty_file=True)


def attachments_context(user, rfq, *, is_owner: bool) -> dict:
    return {"attachments": list(rfq_attachments(user=user, rfq_id=rfq.pk)),
            "can_attach": is_owner and rfq.status in ATTACHABLE,
            "attachment_form": AttachmentForm()}


def quote_attachments_context(user, rfq, latest: dict | None) -> dict:
    """The supplier's own files on its standing quote (sealed with it until the close)."""
    if latest is None:
        return {}
    bid = latest["bid"]
    return {"quote_bid": bid, "quote_attachments": list(quote_attachments(user=user, rfq_id=rfq.pk, bid_id=bid.pk)),
            "can_attach_to_quote": rfq.status == RFQStatus.OPEN, "attachment_form": AttachmentForm()}


def opened_quote_files_context(user, rfq) -> dict:
    """The buyer's page after the close: every supplier's files with its quote (sealed before)."""
    shown = rfq.status in AFTER_CLOSE and not user.is_supplier
    return {"show_quote_files": shown,
            "opened_quote_files": list(opened_quote_attachments(user=user, rfq=rfq)) if shown else []}


def _upload(request, add, done_url: str):
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect(done_url)
    try:
        attachment = add(title=form.cleaned_data["title"], upload=form.cleaned_data["file"])
    except (ValidationFailed, Conflict) as exc:  # not found / forbidden stay 404 / 403 pages
        details = " ".join(" ".join(problems) for problems in exc.fields.values()) if exc.fields else ""
        messages.error(request, f"{exc.message} {details}".strip())
    else:
        messages.success(request, f"Attached “{attachment.title}”.")
    return redirect(done_url)


@require_POST
@page_view
def rfq_attachment_upload(request, pk: int):
    return _upload(request, lambda **f: rfq_attachment_add(user=request.user, rfq_id=pk, **f),
                   reverse("buyer-rfq-detail", args=[pk]))


@require_POST
@page_view
def quote_attachment_upload(request, pk: int, bid_id: int):
    return _upload(request, lambda **f: quote_attachment_add(user=request.user, rfq_id=pk, bid_id=bid_id, **f),
                   reverse("supplier-rfq", args=[pk]))
