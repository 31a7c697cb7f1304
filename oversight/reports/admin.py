"""Fairness reports in the admin, where compliance officers work: each report read-only with a
link to its page and PDF, its certification history, the award gate, and a certify view.

Certifying needs `audit.add_certification` (the compliance officers' group has it) and goes
through `fairness_certify`, like the API and the report page.
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from audit.models import Certification, FairnessReport
from common.admin import ReadOnlyAdmin
from common.errors import ApplicationError

from ..selectors import fairness_reports_awaiting_certification
from .forms import CertifyForm
from .services import fairness_certify


class CertificationFilter(admin.SimpleListFilter):
    """Awaiting: the award is gated, still to be decided, and nobody has certified yet."""

    title = "certification"
    parameter_name = "certification"

    def lookups(self, request, model_admin):
        return [("awaiting", "Awaiting certification")]

    def queryset(self, request, queryset):
        return fairness_reports_awaiting_certification(queryset) if self.value() == "awaiting" else queryset


@admin.register(FairnessReport)
class FairnessReportAdmin(ReadOnlyAdmin):
    list_display = ["rfq", "version", "generated_at", "latest_certification", "award_gate", "report_link"]
    list_select_related = ["rfq"]
    list_filter = [CertificationFilter]
    search_fields = ["rfq__title", "rfq__id"]
    ordering = ["-generated_at"]
    fields = ["rfq", "report_link", "version", "generated_at", "content_hash", "award_gate", "outcome",
              "certifications"]
    readonly_fields = fields
    change_form_template = "admin/audit/fairnessreport/change_form.html"

    @admin.display(description="report")
    def report_link(self, report):
        page = reverse("rfq-fairness-report", args=[report.rfq_id])
        pdf = reverse("api-rfq-fairness-report", args=[report.rfq_id]) + "?format=pdf"
        return format_html('<a href="{}" data-testid="admin-open-report">Open the report</a> · <a href="{}">PDF</a>',
                           page, pdf)

    @admin.display(description="latest certification")
    def latest_certification(self, report):
        latest = (report.data.get("certification") or {}).get("latest")
        return f"{latest['recommendation']} by {latest['officer']}" if latest else "—"

    @admin.display(description="award gate")
    def award_gate(self, report):
        gate = (report.data.get("compliance") or {}).get("award_gate") or {}
        if not gate.get("required"):
            return "not required"
        return "blocked — " + "; ".join(gate["reasons"]) if gate.get("blocked") else "certified"

    @admin.display(description="outcome")
    def outcome(self, report):
        o = report.data.get("outcome") or {}
        winner = (o.get("winner") or {}).get("name")
        text = f"awarded to {winner} at {o.get('amount')}" if winner else f"{o.get('status')}, not awarded"
        return text + (" (manual override)" if o.get("manual_override") else "")

    @admin.display(description="certifications")
    def certifications(self, report):
        rows = Certification.objects.filter(rfq_id=report.rfq_id).order_by("at", "pk")
        return format_html_join("", "<div>{} — <strong>{}</strong> by {}{}</div>", (
            (c.at.strftime("%Y-%m-%d %H:%M:%S UTC"), c.recommendation, c.officer_name,
             ": " + "; ".join(c.findings) if c.findings else "") for c in rows)) or "none yet"

    def get_urls(self):
        certify = path("<int:pk>/certify/", self.admin_site.admin_view(self.certify_view),
                       name="audit_fairnessreport_certify")
        return [certify, *super().get_urls()]

    def certify_view(self, request, pk: int):
        report = get_object_or_404(FairnessReport.objects.select_related("rfq"), pk=pk)
        if not request.user.has_perm("audit.add_certification"):
            raise PermissionDenied
        form = CertifyForm(request.POST or None, initial={"report_version": report.version})
        if request.method == "POST" and form.is_valid():
            try:
                certification = fairness_certify(rfq=report.rfq, officer=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(request, f"Certified “{certification.recommendation}” on report "
                                           f"v{certification.report_version} of {report.rfq.reference}.",
                                  messages.SUCCESS)
                return redirect("admin:audit_fairnessreport_change", report.pk)
        return render(request, "admin/audit/fairnessreport/certify.html", {
            **self.admin_site.each_context(request), "title": f"Certify the fairness audit of {report.rfq}",
            "form": form, "report": report, "opts": self.model._meta, "original": report,
            "report_url": reverse("rfq-fairness-report", args=[report.rfq_id])})

    def render_change_form(self, request, context, *args, **kwargs):
        context["can_certify"] = request.user.has_perm("audit.add_certification")
        return super().render_change_form(request, context, *args, **kwargs)
