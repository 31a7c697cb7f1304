"""Amendments on the pages: the buyer amends from the RFQ page; each invited supplier sees a
banner with an acknowledge button per amendment, and the buyer sees who acknowledged."""
from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from rfqs.models import RFQ
from tests.factories import published_rfq

REASON = "The vessel now arrives on Friday."


def banner(html: str) -> str:
    return html.split('data-testid="amendment-banner"')[1].split("</section>")[0]


def test_buyer_amends_the_deadline_and_suppliers_acknowledge_on_their_page(demo, login):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1,))
    stored = RFQ.objects.get(pk=rfq_id)
    buyer = login("buyer")
    page = buyer.get(reverse("buyer-rfq-detail", args=[rfq_id])).content.decode()
    assert 'data-testid="amend-form"' in page
    later = (stored.bidding_deadline + timedelta(days=1)).replace(second=0, microsecond=0)
    posted = buyer.post(reverse("buyer-rfq-amend", args=[rfq_id]), {
        "reason": REASON, "bidding_deadline": later.strftime("%Y-%m-%dT%H:%M")})
    assert posted.status_code == 302
    assert RFQ.objects.get(pk=rfq_id).bidding_deadline == later  # the form's time is UTC

    supplier_page = login("supplier1").get(reverse("supplier-rfq", args=[rfq_id])).content.decode()
    shown = banner(supplier_page)
    assert "hidden" not in shown.split(">")[0] and REASON in shown and "Acknowledge amendment" in shown
    acknowledge_url = reverse("supplier-rfq-amendment-acknowledge", args=[rfq_id, 1])
    assert acknowledge_url in shown
    assert login("supplier1").post(acknowledge_url).status_code == 302
    after = login("supplier1").get(reverse("supplier-rfq", args=[rfq_id])).content.decode()
    assert banner(after).split(">")[0].endswith("hidden") and "You acknowledged it on" in after
    # supplier2 (invited, not yet accepted) still has it to acknowledge.
    assert REASON in banner(login("supplier2").get(reverse("supplier-rfq", args=[rfq_id])).content.decode())

    buyer_page = buyer.get(reverse("buyer-rfq-detail", args=[rfq_id])).content.decode()
    acks = buyer_page.split('data-testid="amendment-acknowledgements"')[1].split("</p>")[0]
    assert "1 of 2" in acks and demo.supplier(1).name in acks


def test_a_refused_amendment_says_why_and_changes_nothing(demo, login):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1,))
    stored = RFQ.objects.get(pk=rfq_id)
    buyer = login("buyer")
    refused = buyer.post(reverse("buyer-rfq-amend", args=[rfq_id]), {
        "reason": REASON, "bidding_deadline": "2020-01-01T10:00"}, follow=True)
    assert "must be in the future" in refused.content.decode()
    no_reason = buyer.post(reverse("buyer-rfq-amend", args=[rfq_id]), {
        "reason": "", "bidding_deadline": "not a time"}, follow=True)
    assert no_reason.status_code == 200 and "date and time" in no_reason.content.decode()
    for no_such_moment in ("2026-02-30T10:00", "2026-13-01T10:00", "2026-12-20T25:00"):
        impossible = buyer.post(reverse("buyer-rfq-amend", args=[rfq_id]), {
            "reason": REASON, "bidding_deadline": no_such_moment}, follow=True)
        assert impossible.status_code == 200 and "date and time" in impossible.content.decode(), no_such_moment
    assert RFQ.objects.get(pk=rfq_id).bidding_deadline == stored.bidding_deadline
    # Other roles: a supplier gets the error message, another tenant's buyer 404.
    login("supplier1").post(reverse("buyer-rfq-amend", args=[rfq_id]), {"reason": REASON})
    assert login("buyer2").post(reverse("buyer-rfq-amend", args=[rfq_id]), {"reason": REASON}).status_code == 404
    assert RFQ.objects.get(pk=rfq_id).amendment_count == 0


def test_compliance_reads_amendments_and_acknowledgements_in_the_admin(demo, login, api):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1,))
    later = RFQ.objects.get(pk=rfq_id).bidding_deadline + timedelta(days=1)
    assert api("buyer").post(f"/api/v1/rfqs/{rfq_id}/amendments/", {
        "reason": REASON, "bidding_deadline": later.isoformat()}, format="json").status_code == 201
    assert api("supplier1").post(f"/api/v1/rfqs/{rfq_id}/amendments/1/acknowledge/").status_code == 200
    officer = login("compliance")
    listing = officer.get("/admin/procurement/amendment/")
    assert listing.status_code == 200 and RFQ.objects.get(pk=rfq_id).reference in listing.content.decode()
    amendment_id = RFQ.objects.get(pk=rfq_id).amendments.get().pk
    detail = officer.get(f"/admin/procurement/amendment/{amendment_id}/change/").content.decode()
    assert REASON in detail and demo.supplier(1).name in detail and 'name="_save"' not in detail
    assert officer.post(f"/admin/procurement/amendment/{amendment_id}/delete/", {"post": "yes"}).status_code == 403
    assert REASON in officer.get(f"/admin/procurement/rfq/{rfq_id}/change/").content.decode()


def test_before_opening_the_buyer_changes_the_lines_on_the_page(demo, login):
    from django.utils import timezone

    rfq_id = published_rfq(demo, suppliers=(1, 2), bidding_opens_at=(timezone.now() + timedelta(days=1)).isoformat())
    buyer = login("buyer")
    page = buyer.get(reverse("buyer-rfq-detail", args=[rfq_id])).content.decode()
    assert 'data-testid="amend-lines"' in page and 'value="Rice 25kg"' in page
    form = {"reason": "Sugar added; rice is 45 bags.", "description": "Monthly stores.",
            "items-TOTAL_FORMS": "3", "items-INITIAL_FORMS": "2", "items-MIN_NUM_FORMS": "1",
            "items-MAX_NUM_FORMS": "1000",
            "items-0-description": "Rice 25kg", "items-0-quantity": "45", "items-0-unit": "bag",
            "items-0-impa_code": "000101",
            "items-1-description": "Flour 10kg", "items-1-quantity": "20", "items-1-unit": "bag",
            "items-2-description": "Sugar 1kg", "items-2-quantity": "10", "items-2-unit": "kg"}
    assert buyer.post(reverse("buyer-rfq-amend", args=[rfq_id]), form).status_code == 302
    rfq = RFQ.objects.get(pk=rfq_id)
    assert [(li.description, li.quantity) for li in rfq.line_items.all()] == [
        ("Rice 25kg", 45), ("Flour 10kg", 20), ("Sugar 1kg", 10)]
    assert set(rfq.amendments.get().changes) == {"line_items"}
    bad = dict(form, **{"items-2-quantity": "-1", "reason": "Again."})
    refused = buyer.post(reverse("buyer-rfq-amend", args=[rfq_id]), bad, follow=True).content.decode()
    assert "Check the line items" in refused and rfq.amendments.count() == 1
    # Once bidding is open the form offers the deadline only.
    open_id = published_rfq(demo, suppliers=(1, 2))
    assert 'data-testid="amend-lines"' not in buyer.get(reverse("buyer-rfq-detail", args=[open_id])).content.decode()
