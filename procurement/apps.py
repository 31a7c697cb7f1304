from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = "Procurement (RFQs)"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deployment checks)
