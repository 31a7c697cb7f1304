"""Bids and rule violations in the admin: read-only, and sealed prices stay sealed."""
from django.contrib import admin

from common.admin import ReadOnlyAdmin
from common.money import format_money

from .models import Bid, RuleViolation


@admin.register(Bid)
class BidAdmin(ReadOnlyAdmin):
    list_display = ["id", "rfq", "supplier", "version", "status", "submitted_at", "price", "ip_address"]
    list_filter = ["status"]
    search_fields = ["supplier__name", "rfq__title"]
    # Never the ciphertext, the criteria or the amount field itself: `price` shows the amount
    # only once the quote has been opened.
    fields = ["rfq", "supplier", "submitted_by", "version", "status", "submitted_at", "price", "sealed_commitment",
              "opened_at", "withdrawn_at", "audit_seq", "ip_address", "user_agent", "device_fingerprint"]
    readonly_fields = fields

    @admin.display(description="price")
    def price(self, bid):
        if bid.is_sealed:
            return "sealed until bidding closes"
        return format_money(bid.amount, bid.rfq.currency)


@admin.register(RuleViolation)
class RuleViolationAdmin(ReadOnlyAdmin):
    list_display = ["at", "rfq", "supplier", "rule", "severity", "blocked", "message"]
    list_filter = ["rule", "severity", "blocked", "category"]
    search_fields = ["rule", "supplier__name"]
