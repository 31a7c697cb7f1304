from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CommonConfig(AppConfig):
    name = "common"


class QuaysideAdminConfig(admin_apps.AdminConfig):
    """`django.contrib.admin` with common.admin.QuaysideAdminSite as `admin.site` (named in
    INSTALLED_APPS; not this app's own configuration)."""

    default = False
    default_site = "common.admin.QuaysideAdminSite"
