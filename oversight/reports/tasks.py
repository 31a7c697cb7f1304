"""Background job of the fairness report. Takes the id, loads, calls the service."""
from __future__ import annotations

import logging

from celery import shared_task

from common.errors import Conflict

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def generate_fairness_report(rfq_id: int) -> int | None:
    """The report's version after (re)generation; None if the RFQ has no report (reopened meanwhile)."""
    from .services import fairness_report_generate

    try:
        return fairness_report_generate(rfq_id=rfq_id).version
    except Conflict as exc:
        logger.info("no fairness report for RFQ %s: %s", rfq_id, exc.message)
        return None
