"""Writes of the compliance queue: the quarterly sample and an officer's review of an item."""
from __future__ import annotations

import math
import random
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from audit.models import ComplianceReviewItem, ComplianceSample, ReviewStatus
from audit.services import audit_append
from common.errors import Conflict, Forbidden, ValidationFailed

from .quarters import last_complete_quarter, quarter_bounds


def sample_population(quarter: str) -> list[int]:
    """Ids of the RFQs closed in `quarter`, sorted: the list the sample is drawn from."""
    from rfqs.models import RFQ

    start, end = quarter_bounds(quarter)
    return list(RFQ.objects.filter(closed_at__gte=start, closed_at__lt=end).order_by("pk").values_list("pk", flat=True))


def sample_size(population: int) -> int:
    """RATE of the population, within [MIN, MAX], never more than the population."""
    conf = settings.QUAYSIDE["COMPLIANCE_SAMPLE"]
    wanted = max(conf["MIN"], min(conf["MAX"], math.ceil(conf["RATE"] * population)))
    return min(wanted, population)


def sample_redraw(*, seed: int, population: list[int], size: int) -> list[int]:
    """The draw itself; anyone holding the recorded seed and population gets the same ids."""
    return sorted(random.Random(seed).sample(population, size))


def compliance_sample_draw(*, quarter: str | None = None) -> ComplianceSample | None:
    """Draw `quarter`'s sample (default: the last complete quarter) into the review queue.

    Once per quarter: a quarter already drawn returns None. A second delivery of the same
    task racing this one is stopped by the unique quarter and also returns None.
    """
    quarter = quarter or last_complete_quarter(timezone.now())
    if ComplianceSample.objects.filter(quarter=quarter).exists():
        return None
    try:
        return _draw(quarter)
    except IntegrityError:
        if ComplianceSample.objects.filter(quarter=quarter).exists():
            return None
        raise


@transaction.atomic
def _draw(quarter: str) -> ComplianceSample:
    population = sample_population(quarter)
    seed = secrets.randbits(63)
    size = sample_size(len(population))
    drawn = sample_redraw(seed=seed, population=population, size=size)
    # The sample row goes first: its unique quarter is what makes a concurrent draw wait and fail.
    sample = ComplianceSample.objects.create(quarter=quarter, seed=seed, population=population, size=size,
                                             drawn_at=timezone.now())
    ComplianceReviewItem.objects.bulk_create(ComplianceReviewItem(sample=sample, rfq_id=pk) for pk in drawn)
    audit_append(type="compliance.sample_drawn", payload={
        "sample_id": sample.pk, "quarter": quarter, "seed": seed, "population_size": len(population),
        "size": size, "rfq_ids": drawn})
    return sample


@transaction.atomic
def compliance_review_record(*, item: ComplianceReviewItem, officer: User, notes: str) -> ComplianceReviewItem:
    """An officer's outcome for one queued auction; recorded once, then read-only."""
    if not getattr(officer, "is_compliance", False):
        raise Forbidden("Only compliance officers review sampled auctions.")
    if not notes.strip():
        raise ValidationFailed("Say what the review found.", fields={"notes": ["This field is required."]})
    item = ComplianceReviewItem.objects.select_for_update(of=("self",)).select_related("sample", "rfq").get(pk=item.pk)
    if item.status != ReviewStatus.PENDING:
        raise Conflict(f"{item.rfq.reference} in the {item.sample.quarter} sample was already reviewed.",
                       code="invalid_transition")
    item.status, item.reviewed_by, item.reviewed_at = ReviewStatus.REVIEWED, officer, timezone.now()
    item.notes = notes.strip()
    item.save(update_fields=["status", "reviewed_by", "reviewed_at", "notes"])
    audit_append(type="compliance.review_recorded", actor=officer, rfq=item.rfq, payload={
        "review_item_id": item.pk, "quarter": item.sample.quarter, "notes": item.notes})
    return item
