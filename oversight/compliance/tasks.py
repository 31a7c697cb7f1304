"""The quarterly sample job: beat runs it daily, so a quarter missed on its first day is
drawn on the next run; a quarter already drawn is left alone."""
from __future__ import annotations

from celery import shared_task

from .services import compliance_sample_draw


@shared_task(acks_late=True)
def draw_compliance_sample(quarter: str | None = None) -> int | None:
    """The id of the sample drawn now, or None when the quarter already has one."""
    sample = compliance_sample_draw(quarter=quarter)
    return sample.pk if sample else None
