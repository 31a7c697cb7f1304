"""Compliance works here: the KYC review queue, decisions with reasons, invitations."""
from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from common.admin import action_with_form, apply_each

from . import services
from .models import Category, Invitation, KycDocument, KycReviewQueue, KycStatus, Port, SupplierCompany


class KycDocumentInline(admin.TabularInline):
    model = KycDocument
    extra = 0
    can_delete = False
    fields = ["kind", "download", "expires_on", "size", "sha256", "uploaded_at", "uploaded_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="file")
    def download(self, document):
        url = reverse("kyc-document-download", args=[document.pk])
        return format_html('<a href="{}">{}</a>', url, document.original_name)


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


@admin.register(SupplierCompany)
class SupplierCompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "tier", "kyc_status", "performance_score", "kyc_submitted_at"]
    list_filter = ["kyc_status", "tier", "categories", "country"]
    search_fields = ["name"]
    filter_horizontal = ["categories", "ports"]
    readonly_fields = ["kyc_status", "kyc_submitted_at", "kyc_reviewed_at", "kyc_reviewed_by",
                       "kyc_decision_reason"]
    inlines = [KycDocumentInline]
    actions = [approve_kyc, reject_kyc]


@admin.register(KycReviewQueue)
class KycReviewQueueAdmin(SupplierCompanyAdmin):
    """Only suppliers waiting for a decision, oldest submission first."""

    list_display = ["name", "country", "kyc_submitted_at", "documents"]
    list_filter = ["country"]
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
