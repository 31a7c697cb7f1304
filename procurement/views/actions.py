"""The buyer's workflow buttons: each POST runs one procurement service.

A refused transition (ApplicationError, e.g. InvalidTransition with the guard's reasons)
comes back to the detail page as an error message, never as an error page.
"""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from auctions.access import rfq_get_for_buyer_action
from common.errors import ApplicationError
from common.pages import page_view

from .. import services
from ..forms import CancelForm, ReasonForm

TRANSITIONS = {
    "publish": (services.rfq_publish, "{ref} is published ({status}); the invited suppliers have been e-mailed."),
    "open": (services.rfq_open, "Bidding on {ref} is open."),
    "pause": (services.rfq_pause, "Bidding on {ref} is paused. The deadline will move by the time it stays paused."),
    "resume": (services.rfq_resume, "Bidding on {ref} has resumed."),
    "close": (services.rfq_close, "Bidding on {ref} is closed."),
    "evaluate": (services.rfq_evaluate, "{ref} moved on to {status}."),
    "cancel": (services.rfq_cancel, "{ref} is cancelled."),
    "fallback": (services.rfq_fallback, "{ref} now collects sealed bids until the deadline; the suppliers have "
                                        "been told. The sealed bids open at the close."),
}


@require_POST
@page_view
def rfq_transition(request, pk: int, action: str):
    if action not in TRANSITIONS:
        raise Http404("No such action.")
    rfq = rfq_get_for_buyer_action(user=request.user, pk=pk)
    service, done = TRANSITIONS[action]
    form = (CancelForm if action == "cancel" else ReasonForm)(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect("buyer-rfq-detail", pk=rfq.pk)
    try:
        rfq = service(rfq=rfq, user=request.user, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done.format(ref=rfq.reference, status=rfq.get_status_display().lower()))
    return redirect(_next(request) or reverse("buyer-rfq-detail", args=[rfq.pk]))


def _next(request) -> str | None:
    """Where the form asked to return to (the evaluation page runs "evaluate" too), if on this site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return None
