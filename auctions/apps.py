from django.apps import AppConfig


class AuctionsConfig(AppConfig):
    name = "auctions"
    verbose_name = "Auctions"

    def ready(self) -> None:
        # Importing the package registers every mechanism module.
        from . import live, mechanisms  # noqa: F401

        live.register()
