from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from common.views import bad_request, page_not_found, server_error

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[]), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema", permission_classes=[]),
         name="api-docs"),
    path("", include("common.urls")),
    path("", include("accounts.urls")),
    path("", include("procurement.urls")),
    path("", include("auctions.simulation.urls")),
    path("supplier/", include("suppliers.urls")),
    path("supplier/", include("procurement.supplier_urls")),
]

handler400 = bad_request
handler404 = page_not_found
handler500 = server_error
