"""The fairness-audit report page of a closed RFQ, and certification from it.

The buyer that owns the RFQ and compliance officers read it (`rfq_for_fairness_report`); other
buyers get 404, suppliers 403. Only compliance officers see and may post the certification form.
"""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from auctions.selectors import bids_for
from common.errors import ApplicationError, Conflict
from common.pages import page_view
from oversight.reports.charts import distribution_chart
from oversight.reports.forms import CertifyForm
from oversight.reports.selectors import rfq_for_certification, rfq_for_fairness_report
from oversight.reports.services import fairness_certify, fairness_report_current
from oversight.reports.timeline import timeline_note

from .charts import progression_chart


def _at(rows: list[dict]) -> list[dict]:
    """The rows with their ISO time strings parsed, for the template's date filter."""
    return [{**row, "when": parse_datetime(row["at"])} for row in rows]


def _context(request, rfq, report, form=None) -> dict:
    data = report.data
    bids = bids_for(user=request.user, rfq=rfq)
    return {
        "rfq": rfq, "report": report, "data": data, "gate": data["compliance"]["award_gate"],
        "progression": progression_chart(list(bids)) if bids is not None else None,
        "distribution": distribution_chart(data),
        "certify_form": (form or CertifyForm(initial={"report_version": report.version}))
        if request.user.is_compliance else None,
        "is_owner": request.user.is_buyer and rfq.buyer_organization_id == request.user.buyer_organization_id,
        "timeline": _at(data["timeline"]), "timeline_note": timeline_note(data), "actions": _at(data["compliance"]["actions_taken"]),
        "certifications": _at(data["certification"]["history"]),
        "anchor": _at([data["anchor"]])[0] if data.get("anchor") else None,
    }


@page_view
def rfq_fairness_report(request, pk: int):
    rfq = rfq_for_fairness_report(user=request.user, pk=pk)
    try:
        report = fairness_report_current(rfq=rfq)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("buyer-rfq-detail", pk=rfq.pk)
    return render(request, "procurement/rfq_fairness_report.html", _context(request, rfq, report))


@require_POST
@page_view
def rfq_fairness_certify(request, pk: int):
    rfq = rfq_for_certification(user=request.user, pk=pk)
    form = CertifyForm(request.POST)
    if not form.is_valid():
        report = fairness_report_current(rfq=rfq)
        return render(request, "procurement/rfq_fairness_report.html", _context(request, rfq, report, form),
                      status=400)
    try:
        certification = fairness_certify(rfq=rfq, officer=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Certified “{certification.get_recommendation_display()}” on report "
                                  f"v{certification.report_version} of {rfq.reference}.")
    return redirect("rfq-fairness-report", pk=rfq.pk)
