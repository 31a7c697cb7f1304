from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = "Oversight"

    def ready(self) -> None:
        from auctions import hooks

        from .gaming.scheduling import gaming_scan_soon

        hooks.bids_changed.connect(gaming_scan_soon)
