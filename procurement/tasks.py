"""Background jobs of the RFQ workflow (Celery; in-process on the embedded default).

Open and close go through `rfq_open_if_due` / `rfq_close_if_due`, which lock the row and
check the time themselves: the jobs only decide when to look, never whether to act.
"""
from __future__ import annotations

import logging

from celery import shared_task

from .scheduling import resend_close_if_early, resend_open_if_early
from .selectors import rfqs_due_after_close, rfqs_due_to_close, rfqs_due_to_open
from .services import rfq_close_if_due, rfq_open_if_due

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def close_rfq_when_due(rfq_id: int, deadline_version: int) -> bool:
    """Sent at publish and at every deadline move, carrying the deadline it was meant for."""
    if rfq_close_if_due(rfq_id=rfq_id, deadline_version=deadline_version):
        return True
    if resend_close_if_early(rfq_id, deadline_version):
        return False
    # Neither due nor early: done, stale, or the timer fired a hair before the deadline, which
    # has passed since. Try once more rather than leave that close to the next sweep.
    return rfq_close_if_due(rfq_id=rfq_id, deadline_version=deadline_version)


@shared_task(acks_late=True)
def open_rfq_when_due(rfq_id: int) -> bool:
    """Sent at publish when bidding opens later."""
    if rfq_open_if_due(rfq_id=rfq_id):
        return True
    if resend_open_if_early(rfq_id):
        return False
    return rfq_open_if_due(rfq_id=rfq_id)  # as for closing: the opening time may have passed since


def _each(rfq_ids: list[int], action) -> list[int]:
    done = []
    for rfq_id in rfq_ids:
        try:
            if action(rfq_id=rfq_id):
                done.append(rfq_id)
        except Exception:  # one RFQ that cannot move (e.g. a sealed quote failing its check) must not stop the rest
            logger.exception("%s failed for RFQ %s", action.__name__, rfq_id)
    return done


@shared_task(acks_late=True)
def close_overdue_rfqs() -> list[int]:
    """The sweep (beat, every few seconds): closes whatever is overdue, whatever became of the
    scheduled jobs (a lost message, a worker that died mid-close)."""
    return _each(rfqs_due_to_close(), rfq_close_if_due)


@shared_task(acks_late=True)
def open_due_rfqs() -> list[int]:
    """The opening sweep: opens published RFQs whose opening time has come."""
    return _each(rfqs_due_to_open(), rfq_open_if_due)


@shared_task(acks_late=True)
def after_close(rfq_id: int) -> None:
    """Queued when an RFQ closes: the at-close gaming scan, then the fairness report, which
    reports the alerts, then the reserve's options (reserve_close.py). The report is written
    even if the scan fails (the award runs the scan again before it checks the certification
    gate)."""
    from oversight.gaming.services import gaming_scan
    from oversight.reports.tasks import generate_fairness_report

    from .reserve_close import reserve_after_close

    try:
        gaming_scan(rfq_id=rfq_id, phase="close")
    except Exception:
        logger.exception("the at-close gaming scan of RFQ %s failed", rfq_id)
    generate_fairness_report(rfq_id)  # in this job, not another: it must see the scan's alerts
    # Last: an automatic award sees the scan's alerts at the gate (product.md §4.4 reserve options).
    reserve_after_close(rfq_id=rfq_id)


def _finish_close(*, rfq_id: int) -> bool:
    after_close(rfq_id)
    return True


@shared_task(acks_late=True)
def finish_closed_rfqs() -> list[int]:
    """The after-close sweep (beat): runs `after_close` for closed RFQs whose own job never
    finished, so no closed auction goes without its at-close gaming scan and fairness report
    whatever became of that job. Both are idempotent: a late original job changes nothing."""
    return _each(rfqs_due_after_close(), _finish_close)
