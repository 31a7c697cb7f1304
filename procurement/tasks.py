"""Background jobs of the RFQ workflow (Celery; in-process on the embedded default).

Both close through `rfq_close_if_due`, which locks the row and checks the deadline itself:
the jobs only decide when to look, never whether to close.
"""
from __future__ import annotations

import logging

from celery import shared_task

from .selectors import rfqs_due_to_close
from .services import rfq_close_if_due

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def close_rfq_when_due(rfq_id: int, deadline_version: int) -> bool:
    """Scheduled at publish and at every deadline move, carrying the deadline it was meant for."""
    return rfq_close_if_due(rfq_id=rfq_id, deadline_version=deadline_version)


@shared_task(acks_late=True)
def close_overdue_rfqs() -> list[int]:
    """The sweep (beat, every few seconds): closes whatever is overdue, whatever became of the
    scheduled jobs (a lost message, a worker that died mid-close)."""
    closed = []
    for rfq_id in rfqs_due_to_close():
        try:
            if rfq_close_if_due(rfq_id=rfq_id):
                closed.append(rfq_id)
        except Exception:  # one RFQ that cannot close (e.g. a sealed quote failing its check) must not stop the rest
            logger.exception("closing RFQ %s failed", rfq_id)
    return closed
