"""Compliance works here: the KYC review queue, decisions with reasons, invitations."""
from django import forms
from django.contrib import admin, messages
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html

from common.errors import ApplicationError

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
    done = 0
    for supplier in queryset:
        try:
            decide(supplier=supplier, officer=request.user, reason=reason)
            done += 1
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{supplier.name}: {exc.message}", messages.ERROR)
    if done:
        modeladmin.message_user(request, f"{done} supplier(s) updated.", messages.SUCCESS)


@admin.action(description="Approve KYC of the selected suppliers", permissions=["change"])
def approve_kyc(modeladmin, request, queryset):
    _decide(modeladmin, request, queryset, services.kyc_approve, "")


@admin.action(description="Reject KYC of the selected suppliers (asks for a reason)", permissions=["change"])
def reject_kyc(modeladmin, request, queryset):
    form = RejectForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        _decide(modeladmin, request, queryset, services.kyc_reject, form.cleaned_data["reason"])
        return None
    return render(request, "admin/suppliers/reject_kyc.html", {
        **modeladmin.admin_site.each_context(request), "title": "Reject KYC", "form": form,
        "suppliers": queryset, "action": "reject_kyc", "opts": modeladmin.model._meta,
        "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
    })


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
