from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

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
