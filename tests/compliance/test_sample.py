"""The quarterly compliance sample: drawn from last quarter's closed auctions with a recorded
seed (so anyone can redraw it), once per quarter, and reviewed by officers in the admin."""
import datetime
import random

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.utils import timezone

from audit.models import PLATFORM_STREAM, AuditEvent, ComplianceReviewItem, ComplianceSample, rfq_stream
from oversight.compliance.quarters import quarter_bounds
from oversight.compliance.tasks import draw_compliance_sample
from rfqs.models import RFQ
from tests.factories import published_rfq

pytestmark = pytest.mark.django_db


def last_quarter() -> tuple[str, datetime.datetime, datetime.datetime]:
    """Worked out here independently of the code under test."""
    today = timezone.now().date()
    number = (today.month - 1) // 3  # the current quarter's number minus one
    year, number = (today.year - 1, 4) if number == 0 else (today.year, number)
    start = datetime.datetime(year, 3 * number - 2, 1, tzinfo=datetime.UTC)
    this_start = datetime.datetime(today.year, 3 * ((today.month - 1) // 3) + 1, 1, tzinfo=datetime.UTC)
    return f"{year}-Q{number}", start, this_start


@pytest.fixture
def population(demo, settings):
    """Nine RFQs closed last quarter (the first exactly at its start); others closed in the
    current and in the previous quarter, or not closed. Returns last quarter's ids."""
    settings.QUAYSIDE = {**settings.QUAYSIDE, "COMPLIANCE_SAMPLE": {"RATE": 0.5, "MIN": 2, "MAX": 4}}
    for _ in range(8):
        published_rfq(demo)
    ids = list(RFQ.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) >= 13
    _, start, end = last_quarter()
    inside, current, earlier = ids[:9], ids[9:11], ids[11]
    for n, pk in enumerate(inside):
        RFQ.objects.filter(pk=pk).update(closed_at=start + datetime.timedelta(days=9 * n))
    RFQ.objects.filter(pk=current[0]).update(closed_at=end)  # the current quarter starts here
    RFQ.objects.filter(pk=current[1]).update(closed_at=timezone.now())
    RFQ.objects.filter(pk=earlier).update(closed_at=start - datetime.timedelta(microseconds=1))
    return inside


def test_the_sample_draws_last_quarters_closed_auctions_reproducibly(population):
    sample_id = draw_compliance_sample.apply().get()
    sample = ComplianceSample.objects.get(pk=sample_id)
    quarter, _, _ = last_quarter()
    assert sample.quarter == quarter
    assert sample.population == population  # sorted, and only last quarter's closed RFQs
    assert sample.size == 4  # ceil(0.5 × 9) = 5, capped by MAX
    drawn = sorted(sample.items.values_list("rfq_id", flat=True))
    assert len(drawn) == 4 and set(drawn) <= set(population)
    assert set(sample.items.values_list("status", flat=True)) == {"PENDING"}
    # Anyone with the recorded seed and population redraws the same auctions.
    assert sorted(random.Random(sample.seed).sample(sample.population, sample.size)) == drawn
    event = AuditEvent.objects.get(type="compliance.sample_drawn")
    assert event.stream == PLATFORM_STREAM
    assert event.payload == {"sample_id": sample.pk, "quarter": quarter, "seed": sample.seed,
                             "population_size": 9, "size": 4, "rfq_ids": drawn}


def test_drawing_a_quarter_twice_keeps_the_first_sample(population):
    first = draw_compliance_sample.apply().get()
    assert draw_compliance_sample.apply().get() is None
    assert list(ComplianceSample.objects.values_list("pk", flat=True)) == [first]
    assert ComplianceReviewItem.objects.count() == 4
    assert AuditEvent.objects.filter(type="compliance.sample_drawn").count() == 1


def test_the_size_follows_the_settings(population, settings):
    settings.QUAYSIDE = {**settings.QUAYSIDE, "COMPLIANCE_SAMPLE": {"RATE": 0.1, "MIN": 2, "MAX": 50}}
    sample = ComplianceSample.objects.get(pk=draw_compliance_sample.apply().get())
    assert sample.size == 2 and sample.items.count() == 2  # ceil(0.9) = 1, raised to MIN
    empty = ComplianceSample.objects.get(pk=draw_compliance_sample.apply(kwargs={"quarter": "2001-Q1"}).get())
    assert (empty.population, empty.size, empty.items.count()) == ([], 0, 0)  # recorded: nothing closed
    assert quarter_bounds("2001-Q1") == (datetime.datetime(2001, 1, 1, tzinfo=datetime.UTC),
                                         datetime.datetime(2001, 4, 1, tzinfo=datetime.UTC))
    with pytest.raises(ValueError):
        quarter_bounds("٢٠٠١-Q1")  # digits 0-9 only, as the quarter's name is written


@pytest.fixture
def officer(demo, client):
    client.force_login(demo.user("compliance"))  # staff in the compliance group, not a superuser
    return client


@pytest.fixture
def sample(population):
    return ComplianceSample.objects.get(pk=draw_compliance_sample.apply().get())


def test_the_review_queue_lists_the_sampled_auctions_with_their_reports(officer, sample):
    page = officer.get("/admin/audit/compliancereviewitem/")
    assert page.status_code == 200
    body = page.content.decode()
    for item in sample.items.select_related("rfq"):
        assert item.rfq.reference in body
        assert f'href="/rfqs/{item.rfq_id}/fairness-report/"' in body
    detail = officer.get(f"/admin/audit/compliancesample/{sample.pk}/change/").content.decode()
    assert str(sample.seed) in detail and "matches the queued items" in detail


def test_marking_reviewed_records_the_officer_and_is_audited(officer, demo, sample):
    first, second, *rest = list(sample.items.order_by("rfq_id"))
    form = officer.post("/admin/audit/compliancereviewitem/", {
        "action": "mark_reviewed", ACTION_CHECKBOX_NAME: [first.pk]})
    assert form.status_code == 200 and "Record the review" in form.content.decode()
    first.refresh_from_db()
    assert first.status == "PENDING"  # nothing recorded before the notes are given
    officer.post("/admin/audit/compliancereviewitem/", {
        "action": "mark_reviewed", ACTION_CHECKBOX_NAME: [first.pk], "apply": "1",
        "notes": "Bids and extensions consistent; no alerts."}, follow=True)
    first.refresh_from_db()
    assert (first.status, first.reviewed_by, first.notes) == (
        "REVIEWED", demo.user("compliance"), "Bids and extensions consistent; no alerts.")
    assert first.reviewed_at is not None
    event = AuditEvent.objects.get(type="compliance.review_recorded")
    assert (event.stream, event.actor_name) == (rfq_stream(first.rfq_id), "compliance")
    assert event.payload == {"review_item_id": first.pk, "quarter": sample.quarter,
                             "notes": "Bids and extensions consistent; no alerts."}

    # The change form records a review the same way; a recorded review is then read-only.
    response = officer.post(f"/admin/audit/compliancereviewitem/{second.pk}/change/", {"notes": "Checked."})
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.status, second.notes) == ("REVIEWED", "Checked.")
    assert officer.post(f"/admin/audit/compliancereviewitem/{second.pk}/change/",
                        {"notes": "Rewritten."}).status_code == 403
    assert AuditEvent.objects.filter(type="compliance.review_recorded").count() == 2

    # Pending first.
    body = officer.get("/admin/audit/compliancereviewitem/").content.decode()
    pending = [body.index(item.rfq.reference) for item in rest]
    assert max(pending) < body.index(first.rfq.reference)


def test_notes_are_required_to_record_a_review(officer, sample):
    item = sample.items.first()
    response = officer.post(f"/admin/audit/compliancereviewitem/{item.pk}/change/", {"notes": ""})
    assert response.status_code == 200  # the form again, with its error
    item.refresh_from_db()
    assert item.status == "PENDING"
    assert not AuditEvent.objects.filter(type="compliance.review_recorded").exists()
