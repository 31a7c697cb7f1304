from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "procurement"
    # The RFQ's tables are the rfqs app, which keeps the "procurement" label of the database.
    label = "procurement_workflow"
    verbose_name = "Procurement workflow"

    def ready(self) -> None:
        from auctions import hooks

        from . import checks  # noqa: F401  (registers the deployment checks)
        from .scheduling import schedule_close

        hooks.deadline_extended.connect(schedule_close)
