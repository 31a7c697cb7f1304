"""End-to-end through the API: a reverse auction and a sealed tender."""
from rfqs.models import RFQ
from tests.factories import move_deadline_into_past


def bid(api, supplier, rfq_id, amount, **headers):
    return api(supplier).post(f"/api/v1/rfqs/{rfq_id}/bids/", {"amount": amount}, format="json", **headers)


def test_reverse_bids_must_beat_the_best_by_the_decrement(api, reverse_rfq):
    first = bid(api, "supplier1", reverse_rfq, "9500.00")
    assert first.status_code == 201, first.content
    assert first.json()["rank"] == 1 and first.json()["leading_bid"] == "9500.00"
    too_close = bid(api, "supplier2", reverse_rfq, "9450.00")
    assert too_close.status_code == 422, too_close.content
    assert [v["rule"] for v in too_close.json()["error"]["violations"]] == ["minimum_decrement"]
    edge = bid(api, "supplier2", reverse_rfq, "9400.00")
    assert edge.status_code == 201, edge.content
    state = api("supplier1").get(f"/api/v1/rfqs/{reverse_rfq}/state/").json()
    assert state["your_rank"] == 2 and state["leading_bid"] == "9400.00" and state["minimum_next_bid"] == "9300.00"


def test_sealed_quote_is_unreadable_until_close(api, demo, sealed_rfq):
    rfq = RFQ.objects.get(pk=sealed_rfq)
    items = list(rfq.line_items.values_list("pk", flat=True))
    quote = {"line_items": [{"line_item_id": items[0], "unit_price": "123.45"},
                            {"line_item_id": items[1], "unit_price": "67.89"}], "terms": "30 days net"}
    placed = api("supplier1").post(f"/api/v1/rfqs/{sealed_rfq}/bids/", quote, format="json")
    assert placed.status_code == 201, placed.content
    total = placed.json()["amount"]
    assert total == "6295.80"  # 40 × 123.45 + 20 × 67.89
    for user in ("buyer", "compliance", "supplier2"):
        for path in ("bids/", "state/", ""):
            body = api(user).get(f"/api/v1/rfqs/{sealed_rfq}/{path}").content.decode()
            assert "123.45" not in body and "6295.8" not in body, (user, path)
    assert api("buyer").get(f"/api/v1/rfqs/{sealed_rfq}/bids/").json() == {"sealed": True, "count_submitted": 1}
    move_deadline_into_past(sealed_rfq)
    assert api("buyer").post(f"/api/v1/rfqs/{sealed_rfq}/close/", {}, format="json").status_code == 200
    bids = api("buyer").get(f"/api/v1/rfqs/{sealed_rfq}/bids/").json()
    assert [b["amount"] for b in bids] == ["6295.80"]


def test_close_evaluate_award_the_recommended_bid(api, reverse_rfq):
    assert bid(api, "supplier1", reverse_rfq, "9500.00").status_code == 201
    winner = bid(api, "supplier2", reverse_rfq, "9000.00").json()["id"]
    move_deadline_into_past(reverse_rfq)
    assert api("buyer").post(f"/api/v1/rfqs/{reverse_rfq}/close/", {}, format="json").status_code == 200
    evaluation = api("buyer").get(f"/api/v1/rfqs/{reverse_rfq}/evaluation/").json()
    assert evaluation["recommended_bid_id"] == winner
    assert [r["total"] for r in evaluation["rankings"]] == ["9000.00", "9500.00"]
    assert api("supplier1").get(f"/api/v1/rfqs/{reverse_rfq}/evaluation/").status_code == 403
    assert api("buyer").post(f"/api/v1/rfqs/{reverse_rfq}/evaluate/", {}, format="json").json()["status"] == "evaluation"
    loser = evaluation["rankings"][1]["bid_id"]
    refused = api("buyer").post(f"/api/v1/rfqs/{reverse_rfq}/award/", {"bid_id": loser}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()["error"]["fields"]
    awarded = api("buyer").post(f"/api/v1/rfqs/{reverse_rfq}/award/", {"bid_id": winner}, format="json")
    assert awarded.status_code == 200 and awarded.json()["status"] == "awarded"
    assert RFQ.objects.get(pk=reverse_rfq).award_override is False


def test_suppliers_do_not_learn_how_many_competitors_quoted_a_sealed_rfq(api, sealed_rfq):
    rfq = RFQ.objects.get(pk=sealed_rfq)
    items = list(rfq.line_items.values_list("pk", flat=True))
    quote = {"line_items": [{"line_item_id": i, "unit_price": "10.00"} for i in items]}
    assert api("supplier1").post(f"/api/v1/rfqs/{sealed_rfq}/bids/", quote, format="json").status_code == 201
    assert "bid_count" not in api("supplier2").get(f"/api/v1/rfqs/{sealed_rfq}/state/").json()
    assert api("buyer").get(f"/api/v1/rfqs/{sealed_rfq}/state/").json()["bid_count"] == 1


def test_a_jpy_reverse_auction_takes_the_default_decrement(api):
    from tests.factories import rfq_payload

    body = rfq_payload(currency="JPY", reserve_price={"enabled": False},
                       auction={"type": "REVERSE_AUCTION", "settings": {}})
    response = api("buyer").post("/api/v1/rfqs/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["auction"]["settings"]["minimum_decrement"] == "1.00"


def test_a_supplier_that_declined_does_not_follow_the_bidding(api, demo):
    from tests.factories import published_rfq

    rfq_id = published_rfq(demo, suppliers=(1, 2, 3), accept=(1, 2), reserve_price={"enabled": False}, auction={
        "type": "REVERSE_AUCTION", "settings": {"starting_price": "10000.00", "minimum_decrement": "100.00"}})
    invitation = demo.supplier(3).invitations.get(rfq_id=rfq_id)
    assert api("supplier3").post(f"/api/v1/invitations/{invitation.pk}/decline/", {}, format="json").status_code == 200
    assert bid(api, "supplier1", rfq_id, "9500.00").status_code == 201
    declined = api("supplier3").get(f"/api/v1/rfqs/{rfq_id}/state/")
    assert declined.status_code == 200
    assert not {"leading_bid", "bid_count", "your_rank", "minimum_next_bid"} & set(declined.json())
    # No field carries the price (timestamps' digits may contain "9500" by chance).
    assert not [value for value in declined.json().values() if isinstance(value, str) and value.startswith("9500")]
    assert api("supplier2").get(f"/api/v1/rfqs/{rfq_id}/state/").json()["leading_bid"] == "9500.00"
