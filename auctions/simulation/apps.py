from django.apps import AppConfig


class SimulationConfig(AppConfig):
    name = "auctions.simulation"
    label = "simulation"
    verbose_name = "What-if simulation"
    default_auto_field = "django.db.models.BigAutoField"
