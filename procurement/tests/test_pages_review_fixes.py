"""Small things seen in review (issue 15, part 7), on the supplier's and the buyer's pages."""
from __future__ import annotations

from django.urls import reverse

from rfqs.models import RFQ
from tests.factories import published_rfq

from .test_pages_bidding import close, evaluation_url, quote

# --- The invitation inbox: only a running deadline counts down --------------------------------

def _row(content: bytes, invitation_pk: int) -> str:
    text = content.decode()
    start = text.index(f'data-invitation="{invitation_pk}"')
    return text[start:text.index("</tr>", start)]


def test_cancelled_rfq_shows_no_countdown_in_the_inbox(demo, api, login):
    rfq_id = published_rfq(demo, accept=(1,))
    invitation = demo.supplier(1).invitations.get(rfq_id=rfq_id)
    before = login("supplier1").get(reverse("supplier-invitations"))
    assert "<div class=\"sub\">in " in _row(before.content, invitation.pk)  # published: counts down

    assert api("buyer").post(f"/api/v1/rfqs/{rfq_id}/cancel/", {"reason": "Vessel sold."},
                             format="json").status_code == 200
    after = login("supplier1").get(reverse("supplier-invitations"))
    row = _row(after.content, invitation.pk)
    assert "Cancelled" in row and "<div class=\"sub\">in " not in row


# --- The evaluation page: the lowest total is the lowest, the recommended quote is named apart ---

MA_QUALITY_FIRST = {"scoring_method": "WEIGHTED_SUM", "price_weight": 20, "criteria": [
    {"id": "delivery_days", "name": "Delivery time", "weight": 70, "type": "NUMERIC", "higher_is_better": False,
     "min_value": 0, "max_value": 60, "unit": "days"},
    {"id": "class_certified", "name": "Class-certified", "weight": 10, "type": "BOOLEAN", "higher_is_better": True},
]}


def test_multi_attribute_evaluation_shows_the_lowest_total_apart_from_the_recommended(login, api, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1, 2), auction={
        "type": "MULTI_ATTRIBUTE", "settings": MA_QUALITY_FIRST},
        reserve_price={"enabled": True, "amount": "5500.00", "visibility": "hidden",
                       "auto_accept_if_met": False, "notify_buyer_if_not_met": True})
    # supplier1 is cheaper (4 600) but slow; supplier2 dearer (5 000), fast and certified: it wins.
    quote(api, "supplier1", rfq_id, "90.00", "50.00", criteria={"delivery_days": 40, "class_certified": False})
    quote(api, "supplier2", rfq_id, "100.00", "50.00", criteria={"delivery_days": 10, "class_certified": True})
    close(login, rfq_id)
    response = login("buyer").get(evaluation_url(rfq_id))
    html = response.content.decode()
    assert response.context["rows"][0]["supplier"] == "Harbour Chandlers Pte"  # recommended, USD 5,000.00
    lowest = html[html.index('data-testid="lowest-total"'):]
    assert lowest.index("Lowest total") < lowest.index("USD 4,600.00") < lowest.index("Poseidon Marine Supply") < 200
    recommended = html[html.index('data-testid="recommended-total"'):]
    assert "Recommended" in recommended[:120] and "USD 5,000.00" in recommended[:200]
    assert "Best total" not in html
    # The reserve is judged on the lowest total, and the sentence names that figure.
    assert "Met: the lowest total USD 4,600.00 is USD 900.00 below the reserve of USD 5,500.00." in html


# --- A single ranked quote: the page warns, the award's audit event records it ------------------

def _award_event(rfq_id: int):
    from audit.models import AuditEvent

    return AuditEvent.objects.get(rfq_id=rfq_id, type="rfq.award")


def test_a_single_ranked_quote_is_flagged_and_its_award_recorded_as_uncontested(login, api, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1, 2), reserve_price={"enabled": False})
    bid_id = quote(api, "supplier1", rfq_id, "100.00", "60.00")
    close(login, rfq_id)
    assert api("buyer").post(f"/api/v1/rfqs/{rfq_id}/evaluate/", {}, format="json").status_code == 200
    html = login("buyer").get(evaluation_url(rfq_id)).content.decode()
    assert 'data-testid="single-quote"' in html and "Only one quote was ranked: no competition" in html
    response = api("buyer").post(f"/api/v1/rfqs/{rfq_id}/award/", {"bid_id": bid_id}, format="json")
    assert response.status_code == 200, response.content
    assert _award_event(rfq_id).payload["competition"] == {"ranked_quotes": 1, "single_quote": True}


def test_two_ranked_quotes_carry_no_warning_and_a_contested_award(login, api, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1, 2), reserve_price={"enabled": False})
    quote(api, "supplier1", rfq_id, "100.00", "60.00")
    cheaper = quote(api, "supplier2", rfq_id, "90.00", "60.00")
    close(login, rfq_id)
    assert api("buyer").post(f"/api/v1/rfqs/{rfq_id}/evaluate/", {}, format="json").status_code == 200
    html = login("buyer").get(evaluation_url(rfq_id)).content.decode()
    assert 'data-testid="single-quote"' not in html
    assert api("buyer").post(f"/api/v1/rfqs/{rfq_id}/award/", {"bid_id": cheaper}, format="json").status_code == 200
    assert _award_event(rfq_id).payload["competition"] == {"ranked_quotes": 2, "single_quote": False}


# --- Quote terms are bounded: a 400 on the API, a form error on the page -------------------------

TERMS_LIMIT = 5000


def test_quote_terms_over_the_limit_are_a_400_in_the_error_format(api, demo):
    from auctions.models import Bid

    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1,))
    lines = list(RFQ.objects.get(pk=rfq_id).line_items.values_list("pk", flat=True))
    body = {"line_items": [{"line_item_id": pk, "unit_price": "10.00"} for pk in lines],
            "terms": "x" * (TERMS_LIMIT + 1)}
    response = api("supplier1").post(f"/api/v1/rfqs/{rfq_id}/bids/", body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and "terms" in error["fields"]
    assert not Bid.objects.filter(rfq_id=rfq_id).exists()
    body["terms"] = "x" * TERMS_LIMIT
    assert api("supplier1").post(f"/api/v1/rfqs/{rfq_id}/bids/", body, format="json").status_code == 201


def test_quote_terms_over_the_limit_are_refused_on_the_page(login, demo):
    from auctions.models import Bid

    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1,))
    client = login("supplier1")
    form_page = client.get(reverse("supplier-rfq", args=[rfq_id])).content.decode()
    assert f'maxlength="{TERMS_LIMIT}"' in form_page[form_page.index('name="terms"') - 200:][:400]
    assert "At most 5,000 characters." in form_page  # the limit is said next to the field
    prices = {f"price_{pk}": "10.00" for pk in RFQ.objects.get(pk=rfq_id).line_items.values_list("pk", flat=True)}
    response = client.post(reverse("supplier-rfq-bid", args=[rfq_id]),
                           {"valid_until": "", "terms": "x" * (TERMS_LIMIT + 1), **prices})
    assert response.status_code == 200
    assert f"at most {TERMS_LIMIT}" in response.content.decode().replace(",", "")
    assert not Bid.objects.filter(rfq_id=rfq_id).exists()
