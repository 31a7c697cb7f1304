"""The simulation's API routes (included under /api/v1/) and its page (at the site root)."""
from django.urls import path

from . import api, views

api_urlpatterns = [
    path("rfqs/<int:pk>/simulations/", api.SimulationListCreateApi.as_view(), name="api-rfq-simulations"),
    path("rfqs/<int:pk>/simulations/<int:simulation_id>/", api.SimulationDetailApi.as_view(),
         name="api-rfq-simulation"),
]

urlpatterns = [
    path("rfqs/<int:pk>/simulations/", views.simulation_page, name="buyer-rfq-simulations"),
]
