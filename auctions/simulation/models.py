from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from common.models import TimeStampedModel

from .catalogue import formats_for


class SimulationStatus(models.TextChoices):
    RUNNING = "running", "Running"  # queued or computing (long ones run as a task)
    DONE = "done", "Done"  # results stored
    FAILED = "failed", "Failed"  # the task raised; `error` says what happened


class Simulation(TimeStampedModel):
    """A what-if simulation of an RFQ with phantom bidders: its inputs, progress and results."""

    rfq = models.ForeignKey("procurement.RFQ", on_delete=models.CASCADE, related_name="simulations")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=SimulationStatus.choices, default=SimulationStatus.RUNNING)
    progress = models.FloatField(default=0.0, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    seed = models.BigIntegerField(help_text="numpy Generator seed; the same seed replays the same results")
    runs = models.PositiveIntegerField()
    bidders = models.PositiveIntegerField()
    baseline_total = models.DecimalField(max_digits=18, decimal_places=4)
    cost_spread = models.DecimalField(max_digits=5, decimal_places=4)
    currency = models.CharField(max_length=3)
    auction_types = models.JSONField(default=list)
    pricing = models.JSONField(default=list)
    # What the phantom auctions copied from the RFQ when the simulation was made (reserve, settings).
    assumptions = models.JSONField(default=dict)
    results = models.JSONField(default=list)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["rfq", "-created_at"])]

    def __str__(self) -> str:
        return f"Simulation {self.pk} of RFQ {self.rfq_id} ({self.status})"

    @property
    def formats(self) -> list[tuple[str, str]]:
        """(auction_type, pricing) pairs: each format once per pricing rule it can pay by
        (catalogue.py), with the settings the phantom auctions took from the RFQ."""
        return formats_for(self.auction_types, self.pricing, self.assumptions.get("settings", {}))
