from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from common.admin import apply_each

from . import selectors, services
from .models import BuyerOrganization, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "role", "buyer_organization", "supplier", "is_active", "is_staff"]
    list_filter = ["role", "is_active", "is_staff"]
    fieldsets = DjangoUserAdmin.fieldsets + (("Quayside", {"fields": ["role", "buyer_organization", "supplier"]}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        ("Quayside", {"fields": ["role", "buyer_organization", "supplier"]}),)


@admin.register(BuyerOrganization)
class BuyerOrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "created_at"]
    search_fields = ["name"]


@admin.action(description="Lift the lockout of the selected accounts (from every address)", permissions=["delete"])
def lift_account_lockouts(modeladmin, request, queryset):
    usernames = sorted({attempt.username for attempt in queryset if attempt.username})
    apply_each(modeladmin, request, usernames,
               lambda username: services.sign_in_lockout_lift(officer=request.user, username=username),
               label=str, done="Lockout lifted for {n} account(s).")


@admin.action(description="Lift the lockout of the selected addresses (for every account)", permissions=["delete"])
def lift_address_lockouts(modeladmin, request, queryset):
    addresses = sorted({attempt.ip_address for attempt in queryset if attempt.ip_address})
    apply_each(modeladmin, request, addresses,
               lambda address: services.sign_in_lockout_lift(officer=request.user, ip_address=address),
               label=str, done="Lockout lifted for {n} address(es).")


@admin.register(AccessAttempt)
class FailedSignInAdmin(admin.ModelAdmin):
    """Failed sign-ins (django-axes), one row per account, address and browser, for compliance.

    Lifting a lockout deletes the failures behind it, through the audited service; Django's
    bare "delete selected" is withdrawn so nothing is lifted unrecorded.
    """

    list_display = ["username", "ip_address", "failures_since_start", "attempt_time", "locked_out", "path_info",
                    "user_agent"]
    list_filter = ["path_info"]
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    fields = ["username", "ip_address", "failures_since_start", "attempt_time", "path_info", "user_agent",
              "http_accept"]
    readonly_fields = fields
    actions = [lift_account_lockouts, lift_address_lockouts]

    def get_queryset(self, request):
        return selectors.sign_in_attempts_with_scope_failures(super().get_queryset(request))

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        # The row's own delete button: lift this account's lockout from this address.
        services.sign_in_lockout_lift(officer=request.user, username=obj.username, ip_address=obj.ip_address)

    @admin.display(description="locked out")
    def locked_out(self, attempt) -> str:
        return ", ".join(selectors.locked_scopes(attempt)) or "—"
