"""The gaming scan as a Celery job (audit/tasks.py makes Celery discover it)."""
from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from .services import gaming_scan


# A lost database connection or lock timeout is worth another try; the scan is idempotent.
@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def scan_rfq_for_gaming(rfq_id: int, phase: str = "bidding") -> list[int]:
    """Scan one RFQ; returns the ids of the alerts raised or updated."""
    return [alert.pk for alert in gaming_scan(rfq_id=rfq_id, phase=phase)]
