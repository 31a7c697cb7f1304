"""When the RFQ workflow's jobs run (architecture.md "Deadlines").

A job is sent when a time is set or moved — at publish (open and close), at every
extension, resume and reopen (close) — carrying the deadline version it was meant for, so
a job for an old deadline finds a newer version and does nothing. The broker hands an
unacknowledged message to another worker once its visibility timeout passes, and a
worker holding an ETA message keeps it unacknowledged until the ETA: an ETA beyond the
timeout would be delivered twice. So no job waits longer than `MAX_JOB_ETA_SECONDS`
(below the broker's visibility timeout, see settings); a job that wakes before its time
sends itself on again. The beat sweep closes anything a lost job left behind.

The embedded default has no broker: its in-process scheduler (common/scheduler.py) runs
the sweeps every second instead, so nothing is sent from here.
"""
from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from common.after_commit import after_commit

logger = logging.getLogger(__name__)


def _sending_jobs() -> bool:
    from config.celery import app

    return not app.conf.task_always_eager


def job_eta(when: dt.datetime, *, now: dt.datetime | None = None) -> dt.datetime:
    """`when`, or the furthest a job may wait if that is later (it then sends itself on)."""
    now = now or timezone.now()
    return max(now, min(when, now + dt.timedelta(seconds=settings.QUAYSIDE["MAX_JOB_ETA_SECONDS"])))


def schedule_close(rfq) -> None:
    """Send the close job for the RFQ's current deadline once the caller's transaction commits."""
    if not _sending_jobs():
        return
    rfq_id, version, deadline = rfq.pk, rfq.deadline_version, rfq.bidding_deadline
    after_commit(_send_close, rfq_id, version, deadline)


def schedule_open(rfq) -> None:
    """Send the open job for the RFQ's opening time once the caller's transaction commits."""
    if not _sending_jobs() or rfq.bidding_opens_at is None:
        return
    rfq_id, opens_at = rfq.pk, rfq.bidding_opens_at
    after_commit(_send_open, rfq_id, opens_at)


def _send_close(rfq_id: int, version: int, deadline: dt.datetime) -> None:
    from .tasks import close_rfq_when_due

    _send(close_rfq_when_due, (rfq_id, version), deadline)


def _send_open(rfq_id: int, opens_at: dt.datetime) -> None:
    from .tasks import open_rfq_when_due

    _send(open_rfq_when_due, (rfq_id,), opens_at)


def _send(task, args: tuple, when: dt.datetime) -> None:
    # After commit the change is made whatever happens here: a broker that cannot be reached
    # must not fail the request. The sweep opens and closes on time without this job.
    try:
        task.apply_async(args=args, eta=job_eta(when))
    except Exception:
        logger.exception("could not send %s%r; the sweep will do its work", task.name, args)


def resend_close_if_early(rfq_id: int, version: int) -> bool:
    """For a close job that found its RFQ not yet due: send it on if its deadline is still the
    current one and ahead (it woke at the ETA cap, or a clock ran fast). True if sent."""
    from rfqs.models import RFQ, RFQStatus

    rfq = RFQ.objects.filter(pk=rfq_id).only("status", "deadline_version", "bidding_deadline").first()
    if (rfq is None or rfq.deadline_version != version or rfq.bidding_deadline <= timezone.now()
            or rfq.status not in (RFQStatus.PUBLISHED, RFQStatus.OPEN)):
        return False
    _send_close(rfq_id, version, rfq.bidding_deadline)
    return True


def resend_open_if_early(rfq_id: int) -> bool:
    """The same for an open job: send it on while the RFQ waits for a later opening time."""
    from rfqs.models import RFQ, RFQStatus

    rfq = RFQ.objects.filter(pk=rfq_id).only("status", "bidding_opens_at").first()
    if (rfq is None or rfq.status != RFQStatus.PUBLISHED or rfq.bidding_opens_at is None
            or rfq.bidding_opens_at <= timezone.now()):
        return False
    _send_open(rfq_id, rfq.bidding_opens_at)
    return True
