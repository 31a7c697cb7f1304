"""Lots in a live reverse auction (issue 15, api.md "Lots and finding things"): each line has
its own best, decrement, ceiling and count; anti-sniping extends the whole auction."""
from __future__ import annotations

from datetime import timedelta

from auctions.models import Bid
from audit.models import AuditEvent
from rfqs.models import RFQ, LineItem
from tests.api.helpers import assert_error
from tests.engine.helpers import created, items, refused, set_deadline, withdraw
from tests.factories import rfq_payload

from .helpers import LOT_LINES, PER_LINE, lot_bid, lots_auction


def test_each_line_has_its_own_best_decrement_and_ceiling(api, demo):
    rfq = lots_auction(demo)
    rice, flour = items(rfq)
    assert created(lot_bid(api, "supplier1", rfq, rice, "950.00"))["amount"] == "950.00"
    created(lot_bid(api, "supplier2", rfq, flour, "480.00"))  # another line: its own best
    refused(lot_bid(api, "supplier2", rfq, rice, "945.00"), "minimum_decrement")  # 950 - 10 = 940 at most
    refused(lot_bid(api, "supplier3", rfq, flour, "501.00"), "starting_price_ceiling", "minimum_decrement")
    created(lot_bid(api, "supplier3", rfq, rice, "940.00"))
    lines = {line.pk: line for line in LineItem.objects.filter(rfq_id=rfq)}
    assert (lines[rice].best_amount, lines[rice].bid_count) == (940, 2)
    assert (lines[flour].best_amount, lines[flour].bid_count) == (480, 1)
    stored = RFQ.objects.get(pk=rfq)
    assert stored.bid_count == 3 and stored.best_amount is None  # the auction's count; bests are per line
    placed = AuditEvent.objects.filter(rfq_id=rfq, type="bid.placed").order_by("seq")
    assert [e.payload["line_item_id"] for e in placed] == [rice, flour, rice]


def test_a_bid_must_name_a_line_and_a_total_auction_takes_none(api, demo):
    rfq = lots_auction(demo)
    refused(api("supplier1").post(f"/api/v1/rfqs/{rfq}/bids/", {"amount": "900.00"}, format="json"), "bid_line")
    refused(lot_bid(api, "supplier1", rfq, 10**9, "900.00"), "bid_line")
    from tests.engine.helpers import reverse_auction

    total = reverse_auction(demo)
    refused(lot_bid(api, "supplier1", total, items(total)[0], "9000.00"), "bid_line")


def test_withdrawing_the_best_of_a_line_brings_back_that_lines_previous_best(api, demo):
    rfq = lots_auction(demo)
    rice, flour = items(rfq)
    created(lot_bid(api, "supplier1", rfq, rice, "950.00"))
    best = created(lot_bid(api, "supplier2", rfq, rice, "900.00"))
    created(lot_bid(api, "supplier2", rfq, flour, "450.00"))
    assert withdraw(api, "supplier2", rfq, best["id"]).status_code == 200
    rice_line, flour_line = LineItem.objects.get(pk=rice), LineItem.objects.get(pk=flour)
    assert (rice_line.best_amount, rice_line.bid_count) == (950, 1)
    assert (flour_line.best_amount, flour_line.bid_count) == (450, 1)  # the other line untouched
    event = AuditEvent.objects.get(rfq_id=rfq, type="bid.withdrawn")
    assert event.payload["line_item_id"] == rice and event.payload["line_best_amount"] == "950.0000"


def test_a_late_bid_on_any_line_extends_the_whole_auction(api, demo):
    rfq = lots_auction(demo)
    rice, flour = items(rfq)
    set_deadline(rfq, 60)  # inside the standard 5-minute trigger
    before = RFQ.objects.get(pk=rfq).bidding_deadline
    created(lot_bid(api, "supplier1", rfq, flour, "490.00"))
    after = RFQ.objects.get(pk=rfq)
    assert after.bidding_deadline == before + timedelta(minutes=3) and after.extensions == 1
    assert Bid.objects.get(rfq_id=rfq).line_item_id == flour


def test_per_line_settings_are_validated(api, demo):
    bad = rfq_payload(line_items=LOT_LINES, auction={"type": "REVERSE_AUCTION", "settings": {
        **PER_LINE, "starting_price": "1500.00"}})
    error = assert_error(api("buyer").post("/api/v1/rfqs/", bad, format="json"), 400)
    assert "starting_price" in " ".join(error["fields"])
    total_with_line_prices = rfq_payload(line_items=LOT_LINES, auction={"type": "REVERSE_AUCTION", "settings": {
        "minimum_decrement": "10.00", "decrement_type": "AMOUNT"}})
    error = assert_error(api("buyer").post("/api/v1/rfqs/", total_with_line_prices, format="json"), 400)
    assert "line_items[0].starting_price" in error["fields"]
    cheap = [{**LOT_LINES[0], "starting_price": "5.00"}]
    error = assert_error(api("buyer").post("/api/v1/rfqs/", rfq_payload(line_items=cheap, auction={
        "type": "REVERSE_AUCTION", "settings": PER_LINE}), format="json"), 400)
    assert "line_items[0].starting_price" in error["fields"]
    ok = api("buyer").post("/api/v1/rfqs/", rfq_payload(line_items=LOT_LINES, reserve_price={"enabled": False},
                                                       auction={"type": "REVERSE_AUCTION", "settings": PER_LINE}),
                           format="json")
    assert ok.status_code == 201, ok.content
    assert [li["starting_price"] for li in ok.json()["line_items"]] == ["1000.00", "500.00"]
    assert ok.json()["auction"]["settings"]["bidding_basis"] == "PER_LINE"


def test_state_and_live_events_carry_each_lines_figures(api, demo):
    from auctions.live import live_body, rank_changes

    rfq = lots_auction(demo)
    rice, flour = items(rfq)
    created(lot_bid(api, "supplier1", rfq, rice, "950.00"))
    created(lot_bid(api, "supplier2", rfq, rice, "900.00"))
    created(lot_bid(api, "supplier1", rfq, flour, "450.00"))
    state = api("supplier1").get(f"/api/v1/rfqs/{rfq}/state/").json()
    lines = {line["line_item_id"]: line for line in state["lines"]}
    assert lines[rice] == {"line_item_id": rice, "starting_price": "1000.00", "leading_bid": "900.00", "bid_count": 2,
                           "your_best": "950.00", "your_rank": 2, "minimum_next_bid": "890.00"}
    assert lines[flour]["your_rank"] == 1 and lines[flour]["minimum_next_bid"] == "440.00"
    assert "your_best" not in state and state["bid_count"] == 3
    buyer = api("buyer").get(f"/api/v1/rfqs/{rfq}/state/").json()
    assert [line["leading_bid"] for line in buyer["lines"]] == ["900.00", "450.00"] and "your_rank" not in buyer["lines"][0]

    stored = RFQ.objects.get(pk=rfq)
    placed = list(AuditEvent.objects.filter(rfq_id=rfq, type="bid.placed").order_by("seq"))
    body = live_body(placed[1], stored, "bidders")
    assert body["lines"] == [{"line_item_id": rice, "leading_bid": "900.00", "bid_count": 2}]
    assert "leading_bid" not in body and "supplier" not in body
    assert live_body(placed[1], stored, "buyer")["line_item_id"] == rice
    assert rank_changes(placed[1], stored) == {demo.supplier(2).pk: 1, demo.supplier(1).pk: 2}
    assert rank_changes(placed[2], stored) == {demo.supplier(1).pk: 1}  # flour: its own ranking


def test_the_close_of_a_lots_auction_carries_each_lines_figures(api, demo):
    """api.md: live events add `lines` on a per-line auction; the close has no single best."""
    from auctions.live import live_body
    from tests.factories import move_deadline_into_past

    rfq = lots_auction(demo)
    rice, flour = items(rfq)
    created(lot_bid(api, "supplier1", rfq, rice, "950.00"))
    created(lot_bid(api, "supplier2", rfq, rice, "900.00"))
    move_deadline_into_past(rfq)
    assert api("buyer").post(f"/api/v1/rfqs/{rfq}/close/", {}, format="json").status_code == 200
    closed = AuditEvent.objects.get(rfq_id=rfq, type="rfq.close")
    body = live_body(closed, RFQ.objects.get(pk=rfq), "bidders")
    assert body["type"] == "auction_closed" and "leading_bid" not in body
    assert body["lines"] == [{"line_item_id": rice, "leading_bid": "900.00", "bid_count": 2},
                             {"line_item_id": flour, "leading_bid": None, "bid_count": 0}]
    events = api("supplier1").get(f"/api/v1/rfqs/{rfq}/events/?since=0").json()
    assert [e for e in events if e["type"] == "auction_closed"][0]["lines"] == body["lines"]


def test_a_lots_rank_change_names_its_line_in_lines(api, demo, monkeypatch):
    """api.md: live events add `lines: [{line_item_id, your_rank?, ...}]` on a per-line auction."""
    from common import presence
    from tests.capture import capture_live_messages

    rfq = lots_auction(demo)
    rice, _ = items(rfq)
    created(lot_bid(api, "supplier1", rfq, rice, "950.00"))
    s1, s2 = demo.supplier(1).pk, demo.supplier(2).pk
    monkeypatch.setattr(presence, "connected_suppliers", lambda rfq_id: {s1, s2})
    with capture_live_messages() as sent:
        created(lot_bid(api, "supplier2", rfq, rice, "900.00"))
    ranks = {group: body for group, body in sent if body["type"] == "rank_changed"}
    assert {group: (body["lines"], body["your_rank"]) for group, body in ranks.items()} == {
        f"rfq.{rfq}.supplier.{s1}": ([{"line_item_id": rice, "your_rank": 2}], 2),
        f"rfq.{rfq}.supplier.{s2}": ([{"line_item_id": rice, "your_rank": 1}], 1)}


def test_lots_do_not_fall_back_to_sealed_and_amendments_keep_line_ceilings(api, demo):
    from django.utils import timezone

    rfq = lots_auction(demo)
    error = assert_error(api("buyer").post(f"/api/v1/rfqs/{rfq}/fallback/", {"reason": "Dropped links"},
                                           format="json"), 409)
    assert "per-line" in error["message"]
    from tests.factories import published_rfq

    opening = published_rfq(demo, suppliers=(1, 2), reserve_price={"enabled": False}, line_items=LOT_LINES,
                            auction={"type": "REVERSE_AUCTION", "settings": PER_LINE},
                            bidding_opens_at=(timezone.now() + timedelta(days=1)).isoformat())
    lines = [{**LOT_LINES[0], "starting_price": "900.00"}, LOT_LINES[1],
             {"description": "Sugar 1kg", "quantity": "10", "unit": "kg", "starting_price": "80.00"}]
    amended = api("buyer").post(f"/api/v1/rfqs/{opening}/amendments/", {"reason": "Sugar.", "line_items": lines},
                                format="json")
    assert amended.status_code == 201, amended.content
    assert [str(li.starting_price) for li in LineItem.objects.filter(rfq_id=opening).order_by("position")] == [
        "900.0000", "500.0000", "80.0000"]
    bad = api("buyer").post(f"/api/v1/rfqs/{opening}/amendments/", {"reason": "Cheap.", "line_items": [
        {**LOT_LINES[0], "starting_price": "5.00"}]}, format="json")
    assert "line_items[0].starting_price" in assert_error(bad, 400)["fields"]


def test_the_bid_response_names_its_line(api, demo):
    rfq = lots_auction(demo)
    rice = items(rfq)[0]
    body = created(lot_bid(api, "supplier1", rfq, rice, "950.00"))
    assert body["line_item_id"] == rice and body["lines"] == [{"line_item_id": rice, "leading_bid": "950.00"}]
    assert "leading_bid" not in body and body["rank"] == 1


def test_a_per_line_auction_can_be_simulated_on_its_total(api, demo):
    rfq = lots_auction(demo)
    response = api("buyer").post(f"/api/v1/rfqs/{rfq}/simulations/", {
        "baseline_total": "1400.00", "bidders": 4, "cost_spread": "0.15", "runs": 50, "seed": 7,
        "auction_types": ["REVERSE_AUCTION"], "pricing": ["FIRST_PRICE"]}, format="json")
    assert response.status_code == 201, response.content
    [result] = response.json()["results"]
    assert result["no_award_rate"] < 1 and result["expected_total"] is not None


def test_a_repeated_since_is_a_400(api, demo):
    rfq = lots_auction(demo)
    for path in ("events", "events/stream"):
        assert_error(api("buyer").get(f"/api/v1/rfqs/{rfq}/{path}/?since=1&since=2"), 400)
