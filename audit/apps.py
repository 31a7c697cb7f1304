from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from auctions import hooks

        from . import checks  # noqa: F401  (registers the signing-key check)
        from .gaming.scheduling import gaming_scan_soon

        hooks.bids_changed.connect(gaming_scan_soon)
