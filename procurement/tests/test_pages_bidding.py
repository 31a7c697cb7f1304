"""Buyer bidding and evaluation pages: sealed means sealed on every page before close, the
live bids of a reverse auction, who may read the evaluation, and the award decisions."""
from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from rfqs.models import RFQ
from tests.factories import move_deadline_into_past, published_rfq

SECRET_PRICES = ("123.45", "67.89")  # supplier1's quote: 40 × 123.45 + 20 × 67.89 = 6295.80
SECRET_TOTALS = ("6295.8", "6,295.8", "4938", "4,938", "1357.8", "1,357.8")
MA_SETTINGS = {"scoring_method": "WEIGHTED_SUM", "price_weight": 60, "criteria": [
    {"id": "delivery_days", "name": "Delivery time", "weight": 30, "type": "NUMERIC", "higher_is_better": False,
     "min_value": 0, "max_value": 60, "unit": "days"},
    {"id": "class_certified", "name": "Class-certified", "weight": 10, "type": "BOOLEAN", "higher_is_better": True},
]}


def flashes(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def quote(api, supplier: str, rfq_id: int, *prices: str, **extra) -> int:
    lines = RFQ.objects.get(pk=rfq_id).line_items.values_list("pk", flat=True)
    body = {"line_items": [{"line_item_id": pk, "unit_price": p} for pk, p in zip(lines, prices, strict=True)],
            **extra}
    response = api(supplier).post(f"/api/v1/rfqs/{rfq_id}/bids/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def reverse_bid(api, supplier: str, rfq_id: int, amount: str) -> int:
    response = api(supplier).post(f"/api/v1/rfqs/{rfq_id}/bids/", {"amount": amount}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def close(login, rfq_id: int):
    move_deadline_into_past(rfq_id)
    return login("buyer").post(reverse("buyer-rfq-close", args=[rfq_id]))


def evaluation_url(rfq_id: int) -> str:
    return reverse("buyer-rfq-evaluation", args=[rfq_id])


@pytest.fixture
def sealed(demo, api):
    """A sealed RFQ (hidden reserve 9 000) with supplier1's quote and supplier2's cheaper one."""
    rfq_id = published_rfq(demo, suppliers=(1, 2, 3), accept=(1, 2, 3))
    quote(api, "supplier1", rfq_id, *SECRET_PRICES, terms="30 days net")
    quote(api, "supplier2", rfq_id, "100.00", "60.00")  # 5200.00
    return rfq_id


# --- Before close: sealed means sealed ---------------------------------------------------------------

@pytest.mark.parametrize("user", ["buyer", "compliance"])
def test_before_close_the_buyer_pages_carry_no_quote_price(login, sealed, user):
    client = login(user)
    detail = client.get(reverse("buyer-rfq-detail", args=[sealed]))
    live = client.get(reverse("buyer-rfq-bids-live", args=[sealed]))
    evaluation = client.get(evaluation_url(sealed), follow=True)
    for response in (detail, live, evaluation):
        html = response.content.decode()
        for secret in (*SECRET_PRICES, *SECRET_TOTALS, "5200", "5,200"):
            assert secret not in html, (response.request["PATH_INFO"], secret)
    assert "2 suppliers have submitted a quote" in detail.content.decode()
    assert detail.context["panel"]["rows"] is None
    assert any("available once bidding has closed" in m for m in flashes(evaluation))


def test_no_bids_panel_before_bidding_opens(login):
    draft = RFQ.objects.get(title="Main engine spare parts — MV Blue Dolphin")
    response = login("buyer").get(reverse("buyer-rfq-detail", args=[draft.pk]))
    assert response.context["panel"] is None and 'data-testid="bids-panel"' not in response.content.decode()


def test_reverse_auction_bids_are_live_for_the_buyer(login, api, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1, 2), reserve_price={"enabled": False}, auction={
        "type": "REVERSE_AUCTION", "settings": {"starting_price": "10000.00", "minimum_decrement": "100.00",
                                                "decrement_type": "AMOUNT"}})
    reverse_bid(api, "supplier1", rfq_id, "9500.00")
    reverse_bid(api, "supplier2", rfq_id, "9300.00")
    detail = login("buyer").get(reverse("buyer-rfq-detail", args=[rfq_id]))
    html = detail.content.decode()
    assert f'data-live-fragment="{reverse("buyer-rfq-bids-live", args=[rfq_id])}"' in html
    assert 'data-testid="buyer-leading-bid">USD 9,300.00<' in html
    rows = [(r["bid"].supplier.name, r["amount"], r["leading"]) for r in detail.context["panel"]["rows"]]
    assert rows == [("Harbour Chandlers Pte", "USD 9,300.00", True), ("Poseidon Marine Supply", "USD 9,500.00", False)]
    fragment = login("buyer").get(reverse("buyer-rfq-bids-live", args=[rfq_id]))
    assert fragment.status_code == 200 and "Harbour Chandlers Pte" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_the_live_fragment_is_for_the_rfqs_buyer_and_compliance(login, sealed):
    url = reverse("buyer-rfq-bids-live", args=[sealed])
    assert login("buyer2").get(url).status_code == 404
    assert login("supplier1").get(url).status_code == 403
    assert login("supplier4").get(url).status_code == 404
    assert login("compliance").get(url).status_code == 200


# --- The evaluation page ----------------------------------------------------------------------------

def test_evaluation_page_is_the_owners_and_compliances_only(login, sealed):
    close(login, sealed)
    url = evaluation_url(sealed)
    assert login("buyer").get(url).status_code == 200
    compliance = login("compliance").get(url)
    assert compliance.status_code == 200 and not compliance.context["is_owner"]
    assert "Award to" not in compliance.content.decode()
    assert login("buyer2").get(url).status_code == 404
    assert login("supplier1").get(url).status_code in (403, 404)
    assert login("supplier4").get(url).status_code == 404
    assert login(None).get(url).status_code == 302


def test_evaluation_page_compares_the_opened_quotes(login, sealed):
    close(login, sealed)
    detail = login("buyer").get(reverse("buyer-rfq-detail", args=[sealed]))
    assert evaluation_url(sealed) in detail.content.decode()  # linked once closed
    response = login("buyer").get(evaluation_url(sealed))
    html = response.content.decode()
    ranking = [(row["rank"], row["supplier"], row["total"], row["score"]) for row in response.context["rows"]]
    assert ranking == [(1, "Harbour Chandlers Pte", "USD 5,200.00", "100.0"),
                       (2, "Poseidon Marine Supply", "USD 6,295.80", "82.6")]
    assert 'data-testid="recommended">Harbour Chandlers Pte' in html
    assert response.context["reserve"]["label"] == "Met"
    assert "Met: the lowest total USD 5,200.00 is USD 3,800.00 below the reserve of USD 9,000.00." in html
    assert 'data-testid="comparison-chart"' in html and "Reserve USD 9,000.00" in html
    assert "First price (pay as bid)" in html
    assert "USD 123.45" in html and "30 days net" in html  # the line-item comparison, after the opening
    assert "Start evaluation" in html  # closed: evaluate before awarding


def test_evaluate_from_the_evaluation_page_returns_to_it(login, sealed):
    close(login, sealed)
    response = login("buyer").post(reverse("buyer-rfq-evaluate", args=[sealed]), {"next": evaluation_url(sealed)})
    assert response.status_code == 302 and response["Location"] == evaluation_url(sealed)
    assert RFQ.objects.get(pk=sealed).status == "evaluation"
    offsite = login("buyer").post(reverse("buyer-rfq-evaluate", args=[sealed]), {"next": "https://evil.example/"})
    assert offsite["Location"] == reverse("buyer-rfq-detail", args=[sealed])


def evaluated(login, rfq_id: int) -> None:
    close(login, rfq_id)
    login("buyer").post(reverse("buyer-rfq-evaluate", args=[rfq_id]))
    assert RFQ.objects.get(pk=rfq_id).status == "evaluation"


def ranked_bids(login, rfq_id: int) -> tuple[int, int]:
    rows = login("buyer").get(evaluation_url(rfq_id)).context["rows"]
    return rows[0]["bid_id"], rows[1]["bid_id"]


def test_award_the_recommended_quote_in_one_click(login, sealed):
    evaluated(login, sealed)
    recommended, _ = ranked_bids(login, sealed)
    page = login("buyer").get(evaluation_url(sealed)).content.decode()
    assert "Award to Harbour Chandlers Pte" in page and "Manual override" in page
    response = login("buyer").post(reverse("buyer-rfq-award", args=[sealed]), {"bid_id": recommended}, follow=True)
    assert flashes(response) == [f"{RFQ.objects.get(pk=sealed).reference} is awarded to Harbour Chandlers Pte "
                                 "(USD 5,200.00)."]
    rfq = RFQ.objects.get(pk=sealed)
    assert (rfq.status, rfq.awarded_bid_id, rfq.award_override) == ("awarded", recommended, False)
    assert 'data-testid="awarded">Harbour Chandlers Pte' in response.content.decode()


def test_awarding_another_quote_needs_a_reason_and_is_an_override(login, sealed):
    evaluated(login, sealed)
    _, other = ranked_bids(login, sealed)
    url = reverse("buyer-rfq-award", args=[sealed])
    refused = login("buyer").post(url, {"bid_id": other, "reason": "  "}, follow=True)
    assert flashes(refused) == ["Awarding a bid other than the recommended one needs a written reason; it is "
                                "recorded as a manual override."]
    assert RFQ.objects.get(pk=sealed).status == "evaluation"
    reason = "Harbour Chandlers cannot deliver before the vessel sails."
    awarded = login("buyer").post(url, {"bid_id": other, "reason": reason}, follow=True)
    assert "Recorded as a manual override" in flashes(awarded)[0]
    rfq = RFQ.objects.get(pk=sealed)
    assert (rfq.status, rfq.awarded_bid_id, rfq.award_override, rfq.status_reason) == (
        "awarded", other, True, reason)
    html = awarded.content.decode()
    assert 'data-testid="override-note"' in html and reason in html


def test_refused_award_attempts_come_back_as_messages(login, sealed):
    url = reverse("buyer-rfq-award", args=[sealed])
    close(login, sealed)
    recommended, _ = ranked_bids(login, sealed)
    too_early = login("buyer").post(url, {"bid_id": recommended}, follow=True)  # closed, not yet in evaluation
    assert too_early.status_code == 200 and "Cannot award an RFQ that is closed" in flashes(too_early)[0]
    login("buyer").post(reverse("buyer-rfq-evaluate", args=[sealed]))
    bogus = login("buyer").post(url, {"bid_id": 999999}, follow=True)
    assert flashes(bogus) == ["bid_id is not an accepted bid of this RFQ."]
    missing = login("buyer").post(url, {}, follow=True)
    assert flashes(missing) == ["Choose the quote to award."]
    assert login("buyer2").post(url, {"bid_id": recommended}).status_code == 404
    assert login("compliance").post(url, {"bid_id": recommended}).status_code == 403
    assert RFQ.objects.get(pk=sealed).status == "evaluation"


def test_no_award_is_explained_with_reopen_and_cancel(login, api, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1, 2))  # hidden reserve 9 000
    quote(api, "supplier1", rfq_id, "300.00", "100.00")  # 14000.00
    close(login, rfq_id)
    closed = login("buyer").get(evaluation_url(rfq_id))
    assert "Record no award" in closed.content.decode()
    login("buyer").post(reverse("buyer-rfq-evaluate", args=[rfq_id]))
    response = login("buyer").get(evaluation_url(rfq_id))
    html = response.content.decode()
    assert RFQ.objects.get(pk=rfq_id).status == "no_award"
    assert "Not met: the lowest total USD 14,000.00 is USD 5,000.00 above the reserve of USD 9,000.00." in html
    assert 'data-testid="reopen"' in html and 'data-testid="cancel"' in html
    deadline = (timezone.now() + timezone.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    higher = login("buyer").post(reverse("buyer-rfq-reopen", args=[rfq_id]),
                                 {"bidding_deadline": deadline, "reserve_amount": "9500"}, follow=True)
    assert flashes(higher) == ["A reopened RFQ's reserve can only be lowered."]
    reopened = login("buyer").post(reverse("buyer-rfq-reopen", args=[rfq_id]),
                                   {"bidding_deadline": deadline, "reserve_amount": "8000", "reason": "Budget"},
                                   follow=True)
    assert "is open for bidding again" in flashes(reopened)[0]
    rfq = RFQ.objects.get(pk=rfq_id)
    assert rfq.status == "open" and str(rfq.reserve_amount) == "8000.0000"


def test_no_valid_quote_at_all(login, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1, 2))
    close(login, rfq_id)
    response = login("buyer").get(evaluation_url(rfq_id))
    assert response.context["rows"] == []
    assert "No valid quote was received before the deadline." in response.content.decode()


def test_a_tie_is_explained_in_words(login, api, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2, 3), accept=(1, 2, 3), reserve_price={"enabled": False},
                           tie_breaking={"criteria": ["earliest_submission"], "final_fallback": "random"})
    first = quote(api, "supplier2", rfq_id, "100.00", "50.00")
    quote(api, "supplier1", rfq_id, "100.00", "50.00")
    close(login, rfq_id)
    response = login("buyer").get(evaluation_url(rfq_id))
    assert response.context["recommended"]["bid_id"] == first
    assert response.context["tie_sentences"] == [
        "Ranks 1–2: Harbour Chandlers Pte and Poseidon Marine Supply tied on score; decided by earliest submission."]


def test_random_tie_break_shows_the_seed(login, api, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1, 2), reserve_price={"enabled": False},
                           tie_breaking={"criteria": [], "final_fallback": "random"})
    quote(api, "supplier1", rfq_id, "100.00", "50.00")
    quote(api, "supplier2", rfq_id, "100.00", "50.00")
    close(login, rfq_id)
    response = login("buyer").get(evaluation_url(rfq_id))
    seed = RFQ.objects.get(pk=rfq_id).tie_break_seed
    assert f"decided by a random draw with seed {seed}" in response.context["tie_sentences"][0]
    assert str(seed) in response.content.decode()


def test_second_price_shows_what_the_winner_is_paid(login, api, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1, 2), reserve_price={"enabled": False},
                           auction={"type": "SEALED_BID", "settings": {"pricing": "SECOND_PRICE"}})
    quote(api, "supplier1", rfq_id, "100.00", "50.00")  # 5000.00
    quote(api, "supplier2", rfq_id, "110.00", "50.00")  # 5400.00
    close(login, rfq_id)
    response = login("buyer").get(evaluation_url(rfq_id))
    pricing = response.context["pricing"]
    assert (pricing["label"], pricing["payment"], pricing["own_total"]) == (
        "Second price (Vickrey)", "USD 5,400.00", "USD 5,000.00")


def test_multi_attribute_evaluation_shows_the_breakdown(login, api, demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1, 2), reserve_price={"enabled": False},
                           auction={"type": "MULTI_ATTRIBUTE", "settings": MA_SETTINGS})
    quote(api, "supplier1", rfq_id, "100.00", "50.00", criteria={"delivery_days": 10, "class_certified": True})
    quote(api, "supplier2", rfq_id, "90.00", "50.00", criteria={"delivery_days": 40, "class_certified": False})
    close(login, rfq_id)
    response = login("buyer").get(evaluation_url(rfq_id))
    html = response.content.decode()
    assert 'data-testid="breakdown"' in html and 'data-testid="composition-chart"' in html
    ranked = [(row["supplier"], row["score"]) for row in response.context["rows"]]
    assert ranked == [("Harbour Chandlers Pte", "60.0"), ("Poseidon Marine Supply", "40.0")]  # price weighs 60 %
    second = response.context["rows"][1]
    rows = {row["name"]: (row["value"], row["normalised"], row["weight"], row["contribution"])
            for row in second["breakdown"]}
    assert rows == {"Price (total)": ("USD 5,000.00", "0.000", "60.0 %", "0.0"),
                    "Delivery time": ("10 days", "1.000", "30.0 %", "30.0"),
                    "Class-certified": ("Yes", "1.000", "10.0 %", "10.0")}


def test_the_live_monitor_renders_what_its_script_switches(login, api, demo):
    """Countdown, "runs until", the buttons of each live status and the next step after the
    close are all on the page; quayside.js shows the ones the current state needs."""
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1, 2), reserve_price={"enabled": False}, auction={
        "type": "REVERSE_AUCTION", "settings": {"starting_price": "10000.00", "minimum_decrement": "100.00",
                                                "decrement_type": "AMOUNT"}})
    client = login("buyer")
    html = client.get(reverse("buyer-rfq-detail", args=[rfq_id])).content.decode()
    assert 'data-live-page="buyer"' in html and 'id="live-state"' in html
    assert 'data-testid="countdown" data-countdown=' in html and 'data-testid="runs-until"' in html
    stamp = f"{RFQ.objects.get(pk=rfq_id).bidding_deadline:%Y-%m-%d %H:%M:%S}"
    assert f'until <span data-live-deadline="iso" data-testid="runs-until-blocker">{stamp}</span> UTC' in html
    assert 'data-testid="next-step" data-live-when="closed" hidden' in html
    assert 'data-live-step="open" data-label="Bidding"' in html

    close(login, rfq_id)
    html = client.get(reverse("buyer-rfq-detail", args=[rfq_id])).content.decode()
    assert "data-live-page" not in html and 'data-testid="action-pause"' not in html
