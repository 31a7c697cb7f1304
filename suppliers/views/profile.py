"""The supplier's company profile: onboarding, KYC documents and submission for review."""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Role
from common.errors import ApplicationError
from common.pages import page_view, require_role

from .. import services
from ..forms import KycDocumentForm, SigningKeyForm
from ..models import KycDocumentKind, KycStatus
from ..selectors import supplier_get
from ..signing_keys import signing_keys_for

SUBMITTABLE = (KycStatus.NOT_STARTED, KycStatus.REJECTED, KycStatus.EXPIRED)


def own_company(user):
    """The signed-in supplier user's company; 403 for anybody else."""
    require_role(user, Role.SUPPLIER, "Only supplier users have a company profile.")
    return supplier_get(user=user, pk=user.supplier_id)


def _document_rows(supplier) -> list[dict]:
    today = timezone.localdate()
    warning = timedelta(days=settings.QUAYSIDE["KYC_EXPIRY_WARNING_DAYS"])  # the expiry job's warning period
    rows = []
    for document in supplier.kyc_documents.all():
        expires = document.expires_on
        state = ("expired" if expires and expires <= today
                 else "expiring" if expires and expires - today <= warning else "valid")
        rows.append({"document": document, "state": state})
    return rows


def profile_context(supplier, *, form=None, key_form=None) -> dict:
    missing = services.kyc_missing_documents(supplier)
    return {
        "supplier": supplier, "documents": _document_rows(supplier),
        "form": form or KycDocumentForm(max_bytes=settings.QUAYSIDE["KYC_MAX_UPLOAD_BYTES"]),
        "key_form": key_form or SigningKeyForm(), "signing_keys": list(signing_keys_for(supplier)),
        "missing": [KycDocumentKind(kind).label for kind in missing],
        "required": [KycDocumentKind(kind).label for kind in settings.QUAYSIDE["KYC_REQUIRED_DOCUMENTS"]],
        "can_submit": supplier.kyc_status in SUBMITTABLE,
    }


@page_view
def profile(request):
    supplier = own_company(request.user)
    form = KycDocumentForm(request.POST or None, request.FILES or None,
                           max_bytes=settings.QUAYSIDE["KYC_MAX_UPLOAD_BYTES"])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.kyc_document_upload(supplier=supplier, user=request.user, kind=data["kind"],
                                                    upload=data["file"], expires_on=data["expires_on"])
        except ApplicationError as exc:
            for name, problems in exc.fields.items():
                form.add_error(name if name in form.fields else None, problems)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            messages.success(request, f"{document.get_kind_display()} uploaded.")
            return redirect("supplier-profile")
    return render(request, "suppliers/profile.html", profile_context(supplier, form=form))


@require_POST
@page_view
def kyc_submit(request):
    supplier = own_company(request.user)
    try:
        services.kyc_submit(supplier=supplier, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Your documents are submitted for review. We will e-mail you the decision.")
    return redirect("supplier-profile")
