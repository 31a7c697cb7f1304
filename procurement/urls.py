from django.urls import path

from .views import buyer

urlpatterns = [
    path("rfqs/", buyer.rfq_list, name="buyer-rfq-list"),
]
