from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = "Procurement (RFQs)"

    def ready(self) -> None:
        from auctions import hooks

        from . import checks  # noqa: F401  (registers the deployment checks)
        from .scheduling import schedule_close

        hooks.deadline_extended.connect(schedule_close)
