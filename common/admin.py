"""Admin pieces shared by the apps."""
from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records the product writes and nobody edits by hand: the audit trail, bids, alerts,
    reports, samples. Viewing is left to the view permission."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
