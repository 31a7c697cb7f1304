"""The fallback of product.md §4.2: the buyer switches a live reverse auction to sealed-bid
collection for the rest of the window; suppliers are told; the sealed bids stay sealed until
the close, where they compete with the live ones."""
from __future__ import annotations

from decimal import Decimal

import pytest

from auctions.models import Bid
from audit.models import AuditEvent
from rfqs.models import RFQ
from tests.api.helpers import assert_error, mentions_amount
from tests.factories import move_deadline_into_past

from .helpers import bid, reverse_auction, sealed_auction

pytestmark = pytest.mark.django_db


def fallback(api, user, rfq, **body):
    return api(user).post(f"/api/v1/rfqs/{rfq}/fallback/", body, format="json")


def test_the_buyer_switches_once_and_only_a_running_reverse_auction(api, demo):
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    assert_error(fallback(api, "supplier1", rfq), 403)
    assert_error(fallback(api, "buyer2", rfq), 404)
    response = fallback(api, "buyer", rfq, reason="Two suppliers report dropped connections")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "open"
    assert RFQ.objects.get(pk=rfq).sealed_fallback_at is not None
    event = AuditEvent.objects.filter(rfq_id=rfq).latest("seq")
    assert event.type == "rfq.fallback" and event.payload["reason"] == "Two suppliers report dropped connections"
    assert_error(fallback(api, "buyer", rfq), 409, "invalid_transition", contains="already")
    sealed = sealed_auction(demo, suppliers=(1, 2), accept=(1, 2))
    assert_error(fallback(api, "buyer", sealed), 409, "invalid_transition")
    closed = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    move_deadline_into_past(closed)
    assert api("buyer").post(f"/api/v1/rfqs/{closed}/close/", {}, format="json").status_code == 200
    assert_error(fallback(api, "buyer", closed), 409, "invalid_transition")


def test_after_the_switch_bids_are_sealed_until_the_close_and_then_compete_with_the_live_ones(api, demo):
    rfq = reverse_auction(demo, suppliers=(1, 2, 3), accept=(1, 2, 3))
    assert bid(api, "supplier1", rfq, "9000.00").status_code == 201
    assert bid(api, "supplier2", rfq, "8800.00").status_code == 201
    since = api("supplier3").get(f"/api/v1/rfqs/{rfq}/state/").json()["seq"]
    assert fallback(api, "buyer", rfq, reason="Live delivery failing").status_code == 200

    # A sealed bid: no decrement against a best nobody may see; nothing of it is disclosed.
    placed = bid(api, "supplier3", rfq, "8750.55")
    assert placed.status_code == 201, placed.content
    body = placed.json()
    assert body["amount"] == "8750.55"  # to its own supplier
    assert not {"leading_bid", "rank", "bid_count"} & set(body)
    row = Bid.objects.get(pk=body["id"])
    assert row.amount is None and row.sealed_payload and not mentions_amount(row.sealed_payload, "8750")
    for username in ("supplier1", "supplier2"):
        state = api(username).get(f"/api/v1/rfqs/{rfq}/state/")
        assert state.json()["mode"] == "sealed"
        assert not {"leading_bid", "your_rank", "minimum_next_bid"} & set(state.json())
        assert not mentions_amount(state.content, "8750")
    buyer_view = api("buyer").get(f"/api/v1/rfqs/{rfq}/bids/")
    assert not mentions_amount(buyer_view.content, "8750")
    assert not mentions_amount(str(AuditEvent.objects.filter(rfq_id=rfq).values_list("payload", flat=True)), "8750")
    # Suppliers were told, and the sealed bid is no live event.
    events = api("supplier1").get(f"/api/v1/rfqs/{rfq}/events/?since={since}").json()
    assert [e["type"] for e in events] == ["mode_changed"]
    assert events[0]["mode"] == "sealed" and events[0]["reason"] == "Live delivery failing"
    # A second sealed bid from supplier1, above the best: allowed, it is its final offer.
    assert bid(api, "supplier1", rfq, "8900.00").status_code == 201

    move_deadline_into_past(rfq)
    assert api("buyer").post(f"/api/v1/rfqs/{rfq}/close/", {}, format="json").status_code == 200
    assert Bid.objects.get(pk=body["id"]).amount == Decimal("8750.55")
    rfq_row = RFQ.objects.get(pk=rfq)
    assert rfq_row.best_bid_id == body["id"] and rfq_row.best_amount == Decimal("8750.55")
    evaluation = api("buyer").get(f"/api/v1/rfqs/{rfq}/evaluation/").json()
    assert evaluation["recommended_bid_id"] == body["id"]
    opened = AuditEvent.objects.get(rfq_id=rfq, type="bids.opened")
    assert {q["bid_id"] for q in opened.payload["quotes"]} == set(
        Bid.objects.filter(rfq_id=rfq).exclude(sealed_payload="").values_list("pk", flat=True))


def test_a_supplier_reads_its_own_sealed_bid_as_its_best(api, demo):
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    assert bid(api, "supplier1", rfq, "9000.00").status_code == 201
    assert fallback(api, "buyer", rfq).status_code == 200
    assert bid(api, "supplier2", rfq, "9500.00").status_code == 201
    assert bid(api, "supplier2", rfq, "9400.00").status_code == 201
    assert api("supplier2").get(f"/api/v1/rfqs/{rfq}/state/").json()["your_best"] == "9400.00"
    assert api("supplier1").get(f"/api/v1/rfqs/{rfq}/state/").json()["your_best"] == "9000.00"


def test_a_keyed_sealed_bid_keeps_its_answer_sealed_too(api, demo):
    """After the switch a bid's answer repeats its sealed amount: under an Idempotency-Key that
    answer is stored sealed, like the bid, and replayed in clear to its supplier alone."""
    from auctions.models import IdempotencyRecord

    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    assert fallback(api, "buyer", rfq, reason="Live delivery failing").status_code == 200
    keyed = {"HTTP_IDEMPOTENCY_KEY": "k-sealed-fallback"}
    placed = bid(api, "supplier1", rfq, "8750.55", **keyed)
    assert placed.status_code == 201 and placed.json()["amount"] == "8750.55"
    stored = IdempotencyRecord.objects.get(key="k-sealed-fallback")
    assert stored.status_code == 201 and not mentions_amount(str(stored.body), "8750")
    again = bid(api, "supplier1", rfq, "8750.55", **keyed)
    assert again["Idempotent-Replayed"] == "true" and again.json() == placed.json()


def test_a_bid_sealed_by_a_switch_after_its_request_read_the_auction_keeps_its_answer_sealed(api, demo, monkeypatch):
    """The switch commits between the request's first read of the auction (still live) and its
    row lock: the bid is sealed, and so is its stored answer."""
    from auctions import api as bids_api
    from auctions.models import IdempotencyRecord

    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    placed_for_real = bids_api.bid_place

    def switched_first(**kwargs):
        assert fallback(api, "buyer", rfq, reason="Live delivery failing").status_code == 200
        return placed_for_real(**kwargs)

    monkeypatch.setattr(bids_api, "bid_place", switched_first)
    placed = bid(api, "supplier1", rfq, "8750.55", HTTP_IDEMPOTENCY_KEY="k-switched")
    assert placed.status_code == 201 and placed.json()["amount"] == "8750.55"
    assert Bid.objects.get(pk=placed.json()["id"]).amount is None  # sealed
    stored = IdempotencyRecord.objects.get(key="k-switched")
    assert stored.status_code == 201 and not mentions_amount(str(stored.body), "8750")
