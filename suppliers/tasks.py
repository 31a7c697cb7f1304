"""Background jobs of the suppliers app (Celery; in-process on the embedded default)."""
from __future__ import annotations

from celery import shared_task

from .expiry import kyc_expiry_run


@shared_task(acks_late=True)
def kyc_expiry_daily() -> dict[str, list[int]]:
    """Beat, daily: warn of documents near expiry, expire suppliers whose required ones lapsed."""
    return kyc_expiry_run()
