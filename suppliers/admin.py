"""Compliance works here: the KYC review queue, decisions with reasons, invitations."""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from django_countries import countries

from common.admin import action_with_form, apply_each
from common.errors import ApplicationError

from . import services
from .models import (
    Category,
    Invitation,
    KycDocument,
    KycReviewQueue,
    KycStatus,
    Port,
    SigningKey,
    SupplierCompany,
)


class KycDocumentInline(admin.TabularInline):
    model = KycDocument
    extra = 0
    can_delete = False
    # Fits the change page at 1280 px: the SHA-256 is shortened (in full on hover) and the
    # file name wraps.
    fields = ["kind", "download", "expires_on", "size", "short_sha256", "uploaded_at", "uploaded_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="file")
    def download(self, document):
        if document.pk is None:  # a row the posted form invented (a tampered management form)
            return "—"
        url = reverse("kyc-document-download", args=[document.pk])
        return format_html('<a href="{}" style="overflow-wrap:anywhere">{}</a>', url, document.original_name)

    @admin.display(description="SHA-256")
    def short_sha256(self, document):
        return format_html('<code title="{}">{}…</code>', document.sha256, document.sha256[:12])


class SigningKeyInline(admin.TabularInline):
    """The company's bid-signing keys: registered and revoked by the supplier only (api.md
    "Signed bids"), shown here so compliance can match a key id in the trail to its company."""

    model = SigningKey
    extra = 0
    can_delete = False
    fields = ["key_id", "fingerprint", "label", "created_at", "created_by", "revoked_at", "revoked_by"]
    readonly_fields = fields
    verbose_name = "bid-signing key"

    def has_add_permission(self, request, obj=None):
        return False


class RejectForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
                             help_text="The supplier sees this reason; say what to fix.")


def _decide(modeladmin, request, queryset, decide, reason: str) -> None:
    apply_each(modeladmin, request, queryset, lambda supplier: decide(
        supplier=supplier, officer=request.user, reason=reason), label=lambda supplier: supplier.name,
        done="{n} supplier(s) updated.")


@admin.action(description="Approve KYC of the selected suppliers", permissions=["change"])
def approve_kyc(modeladmin, request, queryset):
    _decide(modeladmin, request, queryset, services.kyc_approve, "")


@admin.action(description="Reject KYC of the selected suppliers (asks for a reason)", permissions=["change"])
def reject_kyc(modeladmin, request, queryset):
    return action_with_form(
        modeladmin, request, queryset, form_class=RejectForm,
        apply=lambda suppliers, data: _decide(modeladmin, request, suppliers, services.kyc_reject, data["reason"]),
        title="Reject KYC", intro="Reject the KYC submission of:", submit="Reject with this reason",
        describe=lambda supplier: f"{supplier.name} ({supplier.get_kyc_status_display()})")


class CountryFilter(admin.SimpleListFilter):
    """Country by typing (a code or a name, suggested from the countries suppliers are in)
    instead of a link per country in the world."""

    title = "country"
    parameter_name = "country"
    template = "admin/suppliers/country_filter.html"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        # The other filters, the search and the ordering stay as they are when a country is typed.
        self.keep = [(k, v) for k, values in request.GET.lists() if k not in (self.parameter_name, "p")
                     for v in values]

    def lookups(self, request, model_admin):
        present = SupplierCompany.objects.order_by().values_list("country", flat=True).distinct()
        return sorted(((code, countries.name(code)) for code in present), key=lambda c: str(c[1]))

    def queryset(self, request, queryset):
        typed = (self.value() or "").strip()
        if not typed:
            return queryset
        return queryset.filter(country=countries.alpha2(typed) or countries.by_name(typed) or typed.upper())


@admin.register(SupplierCompany)
class SupplierCompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "tier", "kyc_status", "performance_score", "kyc_submitted_at"]
    list_filter = ["kyc_status", "tier", "categories", CountryFilter]
    search_fields = ["name"]
    filter_horizontal = ["categories", "ports"]
    readonly_fields = ["kyc_status", "kyc_submitted_at", "kyc_reviewed_at", "kyc_reviewed_by",
                       "kyc_decision_reason", "require_signed_bids"]
    inlines = [KycDocumentInline, SigningKeyInline]
    actions = [approve_kyc, reject_kyc]
    change_form_template = "admin/suppliers/suppliercompany/change_form.html"

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [path("<int:pk>/kyc/approve/", view(require_POST(self.kyc_approve_view)), name=f"{name}_kyc_approve"),
                path("<int:pk>/kyc/reject/", view(require_POST(self.kyc_reject_view)), name=f"{name}_kyc_reject"),
                *super().get_urls()]

    def kyc_approve_view(self, request, pk: int):
        return self._kyc_decide(request, pk, services.kyc_approve, reason=request.POST.get("reason", "").strip(),
                                done="KYC of {} approved.")

    def kyc_reject_view(self, request, pk: int):
        return self._kyc_decide(request, pk, services.kyc_reject, reason=request.POST.get("reason", ""),
                                done="KYC of {} rejected; the supplier sees the reason.")

    def _kyc_decide(self, request, pk: int, decide, *, reason: str, done: str):
        """A decision from the supplier's page: the same service, permission and audit as the
        bulk actions; back on the supplier's page with a message."""
        supplier = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, supplier):
            raise PermissionDenied
        try:
            decide(supplier=supplier, officer=request.user, reason=reason)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, done.format(supplier.name), messages.SUCCESS)
        # The supplier's own page: a decided supplier has left the review queue.
        return redirect("admin:suppliers_suppliercompany_change", pk)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}"
        if obj is not None and obj.kyc_status == KycStatus.SUBMITTED and self.has_change_permission(request, obj):
            context["kyc_decision"] = {"approve_url": reverse(f"{name}_kyc_approve", args=[obj.pk]),
                                       "reject_url": reverse(f"{name}_kyc_reject", args=[obj.pk])}
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(KycReviewQueue)
class KycReviewQueueAdmin(SupplierCompanyAdmin):
    """Only suppliers waiting for a decision, oldest submission first."""

    list_display = ["name", "country", "kyc_submitted_at", "documents"]
    list_filter = [CountryFilter]
    ordering = ["kyc_submitted_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kyc_status=KycStatus.SUBMITTED)

    def has_add_permission(self, request):
        return False

    @admin.display(description="documents")
    def documents(self, supplier):
        return supplier.kyc_documents.count()


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["rfq", "supplier", "status", "sent_at", "responded_at"]
    list_filter = ["status"]
    search_fields = ["supplier__name", "rfq__title"]
    readonly_fields = ["rfq", "supplier", "status", "invited_by", "sent_at", "responded_at", "responded_by",
                       "decline_reason"]

    def has_add_permission(self, request):
        return False  # invitations are made by buyers, through the eligibility checks

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Port)
class PortAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "country", "latitude", "longitude"]
    search_fields = ["code", "name"]
