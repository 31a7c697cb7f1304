"""RFQs in the admin: read-only for compliance. Buyers run their RFQs in the product's pages."""
from django.contrib import admin

from rfqs.models import RFQ, LineItem


class LineItemInline(admin.TabularInline):
    model = LineItem
    extra = 0
    can_delete = False
    fields = ["position", "description", "quantity", "unit", "impa_code"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RFQ)
class RFQAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "buyer_organization", "auction_type", "status", "bidding_deadline"]
    list_filter = ["status", "auction_type", "buyer_organization", "category"]
    search_fields = ["title", "buyer_organization__name"]
    date_hierarchy = "created_at"
    inlines = [LineItemInline]

    def get_readonly_fields(self, request, obj=None):
        # Every change goes through the services (state machine + audit), never this form.
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
