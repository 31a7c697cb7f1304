"""RFQs and their clarifications in the admin: read-only for compliance. Buyers run their RFQs
in the product's pages; suppliers ask and buyers answer questions there too."""
from django.contrib import admin

from common.admin import ReadOnlyAdmin
from rfqs.models import RFQ, Amendment, AmendmentAcknowledgement, Clarification, LineItem


class LineItemInline(admin.TabularInline):
    model = LineItem
    extra = 0
    can_delete = False
    fields = ["position", "description", "quantity", "unit", "impa_code"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AmendmentInline(ReadOnlyInline):
    model = Amendment
    fields = ["number", "created_at", "created_by", "reason", "changes"]


@admin.register(RFQ)
class RFQAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "buyer_organization", "auction_type", "status", "bidding_deadline"]
    list_filter = ["status", "auction_type", "buyer_organization", "category"]
    search_fields = ["title", "buyer_organization__name"]
    date_hierarchy = "created_at"
    inlines = [LineItemInline, AmendmentInline]

    def get_readonly_fields(self, request, obj=None):
        # Every change goes through the services (state machine + audit), never this form.
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Clarification)
class ClarificationAdmin(ReadOnlyAdmin):
    """Questions and answers are an audit record: compliance reads them here (with the asker);
    asking and answering go through the pages and the API, never this form."""

    list_display = ["rfq", "asked_at", "answered_at", "published"]
    list_filter = ["published"]
    list_select_related = ["rfq"]
    search_fields = ["question", "answer", "rfq__title", "asked_by__name"]
    date_hierarchy = "asked_at"


class AcknowledgementInline(ReadOnlyInline):
    model = AmendmentAcknowledgement
    fields = ["supplier", "acknowledged_by", "acknowledged_at"]


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyAdmin):
    """Amendments and who acknowledged them, read-only: amending goes through the services."""

    list_display = ["rfq", "number", "created_at", "created_by"]
    list_select_related = ["rfq", "created_by"]
    search_fields = ["reason", "rfq__title"]
    date_hierarchy = "created_at"
    inlines = [AcknowledgementInline]
