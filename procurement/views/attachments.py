"""The buyer's upload form for RFQ attachments (the lists are on both RFQ pages; downloads go
through the API's view, which checks who is asking)."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from common.errors import Conflict, ValidationFailed
from common.pages import page_view

from ..attachments import ATTACHABLE, rfq_attachment_add, rfq_attachments


class AttachmentForm(forms.Form):
    title = forms.CharField(max_length=200)
    file = forms.FileField(allow_empty_file=True)


def attachments_context(user, rfq, *, is_owner: bool) -> dict:
    return {"attachments": list(rfq_attachments(user=user, rfq_id=rfq.pk)),
            "can_attach": is_owner and rfq.status in ATTACHABLE,
            "attachment_form": AttachmentForm()}


@require_POST
@page_view
def rfq_attachment_upload(request, pk: int):
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect("buyer-rfq-detail", pk=pk)
    try:
        attachment = rfq_attachment_add(user=request.user, rfq_id=pk, title=form.cleaned_data["title"],
                                        upload=form.cleaned_data["file"])
    except (ValidationFailed, Conflict) as exc:  # not found / forbidden stay 404 / 403 pages
        details = " ".join(" ".join(problems) for problems in exc.fields.values()) if exc.fields else ""
        messages.error(request, f"{exc.message} {details}".strip())
    else:
        messages.success(request, f"Attached “{attachment.title}”.")
    return redirect("buyer-rfq-detail", pk=pk)
